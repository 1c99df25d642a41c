import { randomBytes } from 'node:crypto'
import { contextKms } from '@attesto/agent-runtime'
import {
  AwsKmsKeyManagementService,
  LocalKeyManagementService,
  masterKeyFromBytes,
  VaultTransitKeyManagementService,
} from '@attesto/kms-adapter'
import { AgentContext, DependencyManager, Kms } from '@credo-ts/core'
import { NodeInMemoryKeyManagementStorage, NodeKeyManagementService } from '@credo-ts/node'
import { canWrapResponseKeys } from '../responseKeys.js'

// direct_post.jwt needs key wrapping from the tenant's KMS: every backend of the kms-adapter has
// it (no call is made to find out); Credo's own node KMS has not.

function contextWith(backend: Kms.KeyManagementService): AgentContext {
  const dependencyManager = new DependencyManager()
  dependencyManager.registerInstance(
    Kms.KeyManagementModuleConfig,
    new Kms.KeyManagementModuleConfig({ backends: [backend] }),
  )
  return new AgentContext({ dependencyManager, contextCorrelationId: 'tenant-test' })
}

describe('response keys need key wrapping', () => {
  it('is offered by the local, Vault transit and AWS KMS backends, not by Credo node KMS', () => {
    const local = new LocalKeyManagementService({ masterKey: masterKeyFromBytes(randomBytes(32)) })
    const vault = new VaultTransitKeyManagementService({
      endpoint: 'http://127.0.0.1:1',
      auth: { token: 'unused' },
      role: 'verifier',
    })
    const aws = new AwsKmsKeyManagementService({ region: 'eu-west-1', role: 'verifier' })
    for (const backend of [local, vault, aws]) expect(canWrapResponseKeys(contextWith(backend))).toBe(true)
    const credo = contextWith(new NodeKeyManagementService(new NodeInMemoryKeyManagementStorage()))
    expect(canWrapResponseKeys(credo)).toBe(false)
    expect(contextKms(credo).wrapping).toBeNull()
  })
})
