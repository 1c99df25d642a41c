import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startService } from '@attesto/testing'
import { afterAll, describe, expect, it } from '@jest/globals'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { HandWallet, parseOffer } from './support/HandWallet.js'
import { closeSharingSchema, tenantWithIssuer } from './support/issuerFixture.js'

// Local KMS master-key rotation from the environment: an issuer key made under one master key
// still signs on an instance started with a new master key and the old one in
// LOCAL_KMS_PREVIOUS_MASTER_KEYS(_FILE); without it, it cannot.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

describe('local KMS previous master keys from the environment', () => {
  const oldMasterKey = randomBytes(32).toString('base64')
  const newMasterKey = randomBytes(32).toString('base64')
  const shared = { PUBLIC_BASE_URL: 'http://issuer.test' }
  const services: Service[] = []
  afterAll(() => closeSharingSchema(services))

  it('signs with a key encrypted under the previous master key, only when that key is configured', async () => {
    const before = await startService('issuer', createIssuerApp, { ...shared, KMS_MASTER_KEY: oldMasterKey })
    services.push(before)
    const { key, issuerId } = await tenantWithIssuer(before, {
      label: 'University',
      configurationId: 'pass',
      vct: 'https://issuer.test/pass',
      claims: [{ name: 'given_name', type: 'string', required: true }],
    })
    const directory = mkdtempSync(join(tmpdir(), 'attesto-kms-'))
    writeFileSync(join(directory, 'previous'), `${randomBytes(32).toString('base64')}\n${oldMasterKey}\n`)
    const rotated = await startService('issuer', createIssuerApp, {
      ...shared,
      DATABASE_SCHEMA: before.schema,
      KMS_MASTER_KEY: newMasterKey,
      LOCAL_KMS_PREVIOUS_MASTER_KEYS_FILE: join(directory, 'previous'),
    })
    services.push(rotated)
    const forgotten = await startService('issuer', createIssuerApp, {
      ...shared,
      DATABASE_SCHEMA: before.schema,
      KMS_MASTER_KEY: randomBytes(32).toString('base64'),
    })
    services.push(forgotten)

    const wallet = new HandWallet()
    const issue = async (service: Service) => {
      const made = await before.call('POST', '/offers', key, {
        issuerId,
        credentialConfigurationId: 'pass',
        claims: { given_name: 'Ada' },
      })
      const { credentialIssuer, code } = parseOffer(made.body.uri)
      const local = credentialIssuer.replace('http://issuer.test', service.http.url)
      // The credential is signed with the issuer's key, kept under the master key.
      const token = await wallet.redeem(local, code)
      if (token.status !== 200) return token
      const nonce = await wallet.nonce(local)
      return wallet.credential(local, token.body.access_token, {
        credential_configuration_id: 'pass',
        proofs: { jwt: [wallet.proof(credentialIssuer, nonce)] },
      })
    }
    // Without the previous master key, the issuer's key cannot be read.
    expect((await issue(forgotten)).status).toBe(500)
    const issued = await issue(rotated)
    expect(issued.status).toBe(200)
    expect(issued.body.credentials).toHaveLength(1)
  })

  it('refuses a previous master key that is not 32 bytes of base64, naming the variable', async () => {
    await expect(
      startService('issuer', createIssuerApp, { LOCAL_KMS_PREVIOUS_MASTER_KEYS: 'too-short' }),
    ).rejects.toThrow(/LOCAL_KMS_PREVIOUS_MASTER_KEYS: each key must be 32 bytes in base64/)
  })
})
