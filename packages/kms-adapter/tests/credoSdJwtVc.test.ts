import { createPublicKey, randomBytes, verify } from 'node:crypto'
import { openStorage, PostgresStorageModule } from '@attesto/storage-service'
import { softHsmInstalled } from '@attesto/test-servers'
import { Agent, Kms } from '@credo-ts/core'
import { agentDependencies } from '@credo-ts/node'
import { LocalKeyManagementService } from '../src/local/LocalKeyManagementService.js'
import { masterKeyFromBytes } from '../src/local/masterKey.js'
import { awsKms, POSTGRES_URL, pkcs11Kms, vaultKms } from './support/kmsBackends.js'

// A real Credo agent issues an SD-JWT VC whose signature is made by each backend, then the
// credential is verified by Credo and, independently, by node:crypto.

type Backend = [string, () => Promise<{ kms: Kms.KeyManagementService; dispose: () => Promise<void> }>]

describe.each<Backend>([
  [
    'local',
    async () => ({
      kms: new LocalKeyManagementService({
        masterKey: masterKeyFromBytes(randomBytes(32)),
      }) as Kms.KeyManagementService,
      dispose: async () => {},
    }),
  ],
  [
    'vault',
    async () => {
      const under = await vaultKms()
      return { kms: under.kms, dispose: () => under.dispose() }
    },
  ],
  [
    'aws',
    async () => {
      const under = await awsKms()
      return { kms: under.kms, dispose: () => under.dispose() }
    },
  ],
  // On a SoftHSM2 token (under CI a missing SoftHSM fails here).
  ...(softHsmInstalled || process.env.CI === 'true'
    ? [
        [
          'pkcs11',
          async () => {
            const under = await pkcs11Kms()
            return { kms: under.kms, dispose: () => under.dispose() }
          },
        ] as Backend,
      ]
    : []),
])('a Credo agent signs an SD-JWT VC through the %s backend', (_name, backend) => {
  it('issues a dc+sd-jwt that Credo and node:crypto both verify', async () => {
    const { kms, dispose } = await backend()
    const schema = `sdjwt_${randomBytes(5).toString('hex')}`
    const storage = await openStorage({ databaseUrl: POSTGRES_URL, schema, cleanup: false })
    const agent = new Agent({
      config: {},
      dependencies: agentDependencies,
      modules: {
        storage: new PostgresStorageModule(storage.storageService),
        kms: new Kms.KeyManagementModule({ backends: [kms] }),
      },
    })
    try {
      await agent.initialize()
      const { keyId, publicJwk } = await agent.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
      const { didState } = await agent.dids.create({ method: 'key', options: { keyId } })
      const verificationMethod = didState.didDocument?.verificationMethod?.[0]?.id
      expect(verificationMethod).toBeDefined()

      const sdJwtVc = await agent.sdJwtVc.sign({
        payload: { vct: 'https://example.org/diploma', given_name: 'Ada', degree: 'MSc' },
        issuer: { method: 'did', didUrl: verificationMethod as string },
        disclosureFrame: { _sd: ['given_name'] },
      })
      expect(sdJwtVc.header.typ).toBe('dc+sd-jwt')
      const verified = await agent.sdJwtVc.verify({ compactSdJwtVc: sdJwtVc.compact })
      expect(verified.isValid).toBe(true)

      const [jwt] = sdJwtVc.compact.split('~')
      const [header, payload, signature] = (jwt as string).split('.')
      const key = createPublicKey({ format: 'jwk', key: publicJwk as unknown as import('node:crypto').JsonWebKey })
      const signedBy = verify(
        'sha256',
        Buffer.from(`${header}.${payload}`),
        { key, dsaEncoding: 'ieee-p1363' },
        Buffer.from(signature as string, 'base64url'),
      )
      expect(signedBy).toBe(true)
    } finally {
      await agent.shutdown()
      await storage.database.query(`DROP SCHEMA "${schema}" CASCADE`)
      await storage.close()
      await dispose()
    }
  })
})
