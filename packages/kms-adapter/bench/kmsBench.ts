// Signatures per second, and CPU time per signature, in one run:
//   npm run bench -w @attesto/kms-adapter     (after npm run build; needs PostgreSQL on 127.0.0.1:5432)
//
// - raw node:crypto (ES256 with a ready KeyObject): the baseline;
// - the local backend (keys encrypted in PostgreSQL, decrypted key cached);
// - the pkcs11 backend on a SoftHSM2 token made for the run (the module runs in this process, its
//   signatures on libuv's thread pool), with one session and with eight;
// - the Vault and AWS backends against their in-repo test servers (same process, loopback
//   HTTP), with the public-key cache on and off;
// - key wrapping: a P-256 private key (its JWK) wrapped and unwrapped again, what a verifier's
//   response key per request costs in its KMS, per backend.
// CPU per signature is this process's user and system time (all its threads) from /proc/self/stat
// over the round, divided by the signatures made.
import { execFileSync } from 'node:child_process'
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { openStorage } from '@attesto/storage-service'
import {
  AwsKmsTestServer,
  initSoftHsmToken,
  SOFTHSM_MODULE,
  softHsmDirectory,
  softHsmInstalled,
  VaultTransitTestServer,
} from '@attesto/test-servers'
import { AgentContext, DependencyManager, InjectionSymbols, type Kms } from '@credo-ts/core'
import { AwsKmsKeyManagementService } from '../src/aws/AwsKmsKeyManagementService.js'
import type { KeyWrapping } from '../src/KeyWrapping.js'
import { LocalKeyManagementService } from '../src/local/LocalKeyManagementService.js'
import { masterKeyFromBytes } from '../src/local/masterKey.js'
import { Pkcs11KeyManagementService } from '../src/pkcs11/Pkcs11KeyManagementService.js'
import { VaultTransitKeyManagementService } from '../src/vault/VaultTransitKeyManagementService.js'
import { POSTGRES_URL } from '../tests/support/kmsBackends.js'

const data = new TextEncoder().encode('header.payload of a typical SD-JWT VC, about this long')
const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100

/** User plus system CPU time of this process so far, all threads (fields 14 and 15 of proc(5)). */
function processCpuMillis(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const [utime = 0, stime = 0] = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .slice(11, 13)
    .map(Number)
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND
}

interface Round {
  perSecond: number
  cpuMicrosPerSign: number
}

/** `count` signatures by `signOnce`, `concurrency` at a time: their rate and CPU per signature. */
async function measure(count: number, concurrency: number, signOnce: () => unknown): Promise<Round> {
  let next = 0
  const cpuBefore = processCpuMillis()
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await signOnce()
    }),
  )
  const seconds = (performance.now() - started) / 1000
  return { perSecond: count / seconds, cpuMicrosPerSign: ((processCpuMillis() - cpuBefore) * 1000) / count }
}

async function signsPerSecond(
  kms: Kms.KeyManagementService,
  context: AgentContext,
  count: number,
  concurrency: number,
): Promise<Round> {
  const { keyId } = await kms.createKey(context, { type: { kty: 'EC', crv: 'P-256' } })
  await kms.sign(context, { keyId, algorithm: 'ES256', data }) // warm: key loaded, connections open
  return measure(count, concurrency, () => kms.sign(context, { keyId, algorithm: 'ES256', data }))
}

/** Wrap-then-unwrap pairs of a P-256 private JWK, `concurrency` in flight (CPU per pair in `cpuMicrosPerSign`). */
async function wrapPairs(kms: KeyWrapping, context: AgentContext, count: number, concurrency: number) {
  const key = Buffer.from(
    JSON.stringify(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })),
  )
  let round = 0
  const pair = async () => {
    const wrapContext = { purpose: 'bench', requestId: String(round++) }
    const { wrappedKey } = await kms.wrapKey(context, { key, context: wrapContext })
    await kms.unwrapKey(context, { wrappedKey, context: wrapContext })
  }
  await pair() // the tenant's wrapping key made, connections open
  return measure(count, concurrency, pair)
}

function rawSignsPerSecond(count: number): Promise<Round> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
  return measure(count, 1, () => sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }))
}

/**
 * The pkcs11 backend on a new SoftHSM2 token (its own directory, through SOFTHSM2_CONF, which the
 * module reads when it is initialised), with `maxSessions` sessions; null without SoftHSM2. With
 * eight sessions it also wraps keys, a round pushed onto `wrapRows`.
 */
async function pkcs11Rounds(context: AgentContext, wrapRows: [string, Round][]): Promise<[string, Round | null][]> {
  if (!softHsmInstalled || !SOFTHSM_MODULE) return [['pkcs11 (SoftHSM2 not installed)', null]]
  const directory = softHsmDirectory()
  process.env.SOFTHSM2_CONF = directory.conf
  const token = initSoftHsmToken(directory.conf)
  const rows: [string, Round | null][] = []
  try {
    for (const [sessions, concurrency] of [
      [1, 1],
      [8, 32],
    ] as const) {
      const kms = await Pkcs11KeyManagementService.start({
        module: SOFTHSM_MODULE,
        ...token,
        role: 'issuer',
        maxSessions: sessions,
      })
      const label = `pkcs11 (SoftHSM2), ${sessions} session${sessions > 1 ? 's' : ''}`
      rows.push([label, await signsPerSecond(kms, context, 5_000, concurrency)])
      if (sessions > 1 && kms.wrapKey && kms.unwrapKey) {
        const wrapping = { wrapKey: kms.wrapKey, unwrapKey: kms.unwrapKey }
        wrapRows.push([`${label}: CKM_AES_GCM`, await wrapPairs(wrapping, context, 2_000, concurrency)])
      }
      kms.close()
    }
  } finally {
    directory.dispose()
  }
  return rows
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

  const pkcs11WrapRows: [string, Round][] = []
  const raw = await rawSignsPerSecond(20_000)
  const rows: [string, Round | null][] = [
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
    ...(await pkcs11Rounds(context, pkcs11WrapRows)),
    ['vault (test server), public-key cache on', await signsPerSecond(vaultService(60), context, 3_000, 32)],
    ['vault (test server), public-key cache off', await signsPerSecond(vaultService(0), context, 3_000, 32)],
    ['aws (test server), public-key cache on', await signsPerSecond(awsService(60), context, 3_000, 32)],
    ['aws (test server), public-key cache off', await signsPerSecond(awsService(0), context, 3_000, 32)],
  ]

  console.log('ES256 signatures per second and CPU per signature (this process, all threads), one run\n')
  console.log('backend                                     signs/s   vs raw node:crypto   CPU µs/sign')
  for (const [name, round] of rows) {
    if (!round) {
      console.log(name)
      continue
    }
    const perSecond = round.perSecond.toFixed(0).padStart(8)
    const ratio = (round.perSecond / raw.perSecond).toFixed(2).padStart(20)
    console.log(`${name.padEnd(42)} ${perSecond} ${ratio} ${round.cpuMicrosPerSign.toFixed(1).padStart(13)}`)
  }

  const wrapRows: [string, Round][] = [
    ...pkcs11WrapRows,
    [
      'local (AES-256-GCM under the master key)',
      await wrapPairs(
        new LocalKeyManagementService({ masterKey: masterKeyFromBytes(randomBytes(32)) }),
        context,
        20_000,
        16,
      ),
    ],
    ['vault (test server): encrypt, decrypt', await wrapPairs(vaultService(60), context, 2_000, 32)],
    ['aws (test server): Encrypt, Decrypt', await wrapPairs(awsService(60), context, 2_000, 32)],
  ]
  console.log('\nA P-256 private key wrapped and unwrapped again: pairs per second and CPU per pair, one run\n')
  console.log('backend                                     pairs/s   CPU µs/pair')
  for (const [name, round] of wrapRows) {
    console.log(
      `${name.padEnd(42)} ${round.perSecond.toFixed(0).padStart(8)} ${round.cpuMicrosPerSign.toFixed(1).padStart(13)}`,
    )
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
