// Signatures per second, in one run:
//   npm run bench -w @attesto/kms-adapter     (after npm run build; needs PostgreSQL on 127.0.0.1:5432)
//
// - raw node:crypto (ES256 with a ready KeyObject): the baseline;
// - the local backend (keys encrypted in PostgreSQL, decrypted key cached);
// - the Vault and AWS backends against their in-repo test servers (same process, loopback
//   HTTP), with the public-key cache on and off.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import { openStorage } from '@attesto/storage-service'
import { AgentContext, DependencyManager, InjectionSymbols, type Kms } from '@credo-ts/core'
import { AwsKmsKeyManagementService } from '../src/aws/AwsKmsKeyManagementService.js'
import { LocalKeyManagementService } from '../src/local/LocalKeyManagementService.js'
import { masterKeyFromBytes } from '../src/local/masterKey.js'
import { VaultTransitKeyManagementService } from '../src/vault/VaultTransitKeyManagementService.js'
import { AwsKmsTestServer } from '../tests/support/AwsKmsTestServer.js'
import { POSTGRES_URL } from '../tests/support/kmsBackends.js'
import { VaultTransitTestServer } from '../tests/support/VaultTransitTestServer.js'

const data = new TextEncoder().encode('header.payload of a typical SD-JWT VC, about this long')

async function signsPerSecond(
  kms: Kms.KeyManagementService,
  context: AgentContext,
  count: number,
  concurrency: number,
): Promise<number> {
  const { keyId } = await kms.createKey(context, { type: { kty: 'EC', crv: 'P-256' } })
  await kms.sign(context, { keyId, algorithm: 'ES256', data }) // warm: key loaded, connections open
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await kms.sign(context, { keyId, algorithm: 'ES256', data })
    }),
  )
  return count / ((performance.now() - started) / 1000)
}

function rawSignsPerSecond(count: number): number {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
  const started = performance.now()
  for (let i = 0; i < count; i++) sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
  return count / ((performance.now() - started) / 1000)
}

async function main() {
  const schema = `kmsbench_${randomBytes(4).toString('hex')}`
  const storage = await openStorage({ databaseUrl: POSTGRES_URL, schema, cleanup: false })
  const dependencyManager = new DependencyManager()
  dependencyManager.registerInstance(InjectionSymbols.StorageService, storage.storageService)
  const context = new AgentContext({ dependencyManager, contextCorrelationId: 'bench' })
  const vault = await new VaultTransitTestServer().start()
  const aws = await new AwsKmsTestServer().start()
  const vaultService = (latestVersionTtlSeconds: number) =>
    new VaultTransitKeyManagementService({
      endpoint: vault.url,
      auth: { token: vault.token },
      role: 'issuer',
      latestVersionTtlSeconds,
    })
  const awsService = (aliasTtlSeconds: number) =>
    new AwsKmsKeyManagementService({
      region: 'us-east-1',
      endpoint: aws.url,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
      role: 'issuer',
      aliasTtlSeconds,
    })

  const raw = rawSignsPerSecond(20_000)
  const rows: [string, number][] = [
    ['raw node:crypto', raw],
    [
      'local',
      await signsPerSecond(
        new LocalKeyManagementService({ masterKey: masterKeyFromBytes(randomBytes(32)) }),
        context,
        20_000,
        16,
      ),
    ],
    ['vault (test server), public-key cache on', await signsPerSecond(vaultService(60), context, 3_000, 32)],
    ['vault (test server), public-key cache off', await signsPerSecond(vaultService(0), context, 3_000, 32)],
    ['aws (test server), public-key cache on', await signsPerSecond(awsService(60), context, 3_000, 32)],
    ['aws (test server), public-key cache off', await signsPerSecond(awsService(0), context, 3_000, 32)],
  ]

  console.log('ES256 signatures per second, one run\n')
  console.log('backend                                     signs/s   vs raw node:crypto')
  for (const [name, perSecond] of rows) {
    console.log(`${name.padEnd(42)} ${perSecond.toFixed(0).padStart(8)} ${(perSecond / raw).toFixed(2).padStart(20)}`)
  }

  await vault.stop()
  await aws.stop()
  await storage.database.query(`DROP SCHEMA "${schema}" CASCADE`)
  await storage.close()
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
