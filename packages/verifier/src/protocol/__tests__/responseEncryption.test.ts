import { randomBytes } from 'node:crypto'
import {
  AwsKmsKeyManagementService,
  LocalKeyManagementService,
  masterKeyFromBytes,
  VaultTransitKeyManagementService,
} from '@attesto/kms-adapter'
import { AgentContext, DependencyManager } from '@credo-ts/core'
import { backendsCanDecryptResponses } from '../responseEncryption.js'

describe('response encryption support', () => {
  it('is offered by the local KMS, not by Vault transit or AWS KMS (no ECDH-ES there)', () => {
    const context = new AgentContext({ dependencyManager: new DependencyManager(), contextCorrelationId: 'test' })
    const local = new LocalKeyManagementService({ masterKey: masterKeyFromBytes(randomBytes(32)) })
    const vault = new VaultTransitKeyManagementService({
      endpoint: 'http://127.0.0.1:1',
      auth: { token: 'unused' },
      role: 'verifier',
    })
    const aws = new AwsKmsKeyManagementService({ region: 'eu-west-1', role: 'verifier' })
    expect(backendsCanDecryptResponses(context, [local])).toBe(true)
    expect(backendsCanDecryptResponses(context, [vault])).toBe(false)
    expect(backendsCanDecryptResponses(context, [aws])).toBe(false)
  })
})
