// Status list benchmarks of the issuer, in process on the real PostgreSQL (local KMS):
//   npm run bench -w @attesto/issuer    (after npm run build; runs after the queue benchmark)
//   node packages/issuer/dist/bench/statusListBench.js    (this one alone)
//
// - allocation: the status entry of one credential being issued (index allocation and its row),
//   BENCH_STATUS_CREDENTIALS times (default 5,000) with 32 in flight: entries per second and SQL
//   statements per issuance, counted at the Database object;
// - batches: the ten indices of a batch issuance, BENCH_STATUS_BATCHES times (default 500):
//   batches per second and statements per batch;
// - status changes: revoke or suspend each of them (32 in flight): changes per second;
// - publishes: sign and share the token of a full list of 2^17 entries (1 in 30 set),
//   BENCH_STATUS_PUBLISHES times (default 50): tokens per second and the token's size.
import { randomUUID } from 'node:crypto'
import { startService } from '@attesto/testing'
import { createIssuerApp } from '../src/app.js'
import type { StatusClaim } from '../src/status/CredentialStatusService.js'
import type { CredentialStatusRow } from '../src/status/CredentialStatusStore.js'
import { tenantWithIssuer } from '../tests/support/issuerFixture.js'
import { countStatements } from './measure/statementCounter.js'

const CREDENTIALS = Number(process.env.BENCH_STATUS_CREDENTIALS ?? 5_000)
const PUBLISHES = Number(process.env.BENCH_STATUS_PUBLISHES ?? 50)
const IN_FLIGHT = Number(process.env.BENCH_STATUS_IN_FLIGHT ?? 32)
const BATCHES = Number(process.env.BENCH_STATUS_BATCHES ?? 500)

const service = await startService('issuer', createIssuerApp)
const statements = countStatements(service.runtime.storage.database)

/** Runs `task` `count` times with `IN_FLIGHT` in flight; answers the rate per second. */
async function rate(count: number, task: (index: number) => Promise<unknown>): Promise<number> {
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) await task(next++)
    }),
  )
  return count / ((performance.now() - started) / 1000)
}

try {
  const { issuerId } = await tenantWithIssuer(service, {
    label: 'Ministry',
    configurationId: 'pass',
    vct: 'urn:attesto:bench:pass',
    claims: [{ name: 'given_name', type: 'string' }],
  })
  const { credentialStatus, issuers } = service.runtime
  const issuer = await issuers.get(issuerId)
  const configuration = issuer.profile.configurations.pass
  if (!configuration) throw new Error('no configuration')
  const offerIds = Array.from({ length: CREDENTIALS }, () => randomUUID())
  const references: string[] = []

  const before = statements.count
  const rows: CredentialStatusRow[] = []
  const allocations = await rate(CREDENTIALS, async (index) => {
    const reserved = await credentialStatus.reserve(issuer, configuration)
    if (!reserved) throw new Error('the configuration is not revocable')
    references.push((reserved.claims[0] as StatusClaim).status_list.uri)
    rows[index] = reserved.row
  })
  const perIssuance = (statements.count - before) / CREDENTIALS
  console.log(`Status lists (${CREDENTIALS} credentials, ${IN_FLIGHT} in flight, real PostgreSQL)`)
  console.log(
    `  status indices allocated: ${allocations.toFixed(0)}/s, ${perIssuance.toFixed(2)} statements per issuance (the entry's row is written by the issuance's own statement)`,
  )
  // Batch issuance: the ten indices of a batch, all at once.
  const batchesBefore = statements.count
  const batches = await rate(BATCHES, async () => {
    const reserved = await credentialStatus.reserve(issuer, configuration, 10)
    if (reserved?.claims.length !== 10 || reserved.row.indices?.length !== 10) throw new Error('not a batch of 10')
  })
  console.log(
    `  batches of 10 indices: ${batches.toFixed(0)} batches/s, ${((statements.count - batchesBefore) / BATCHES).toFixed(2)} statements per batch (at most one: one list, one stripe; none when this instance holds enough from a block)`,
  )
  // The rows an issuance would have written with its credential, for the changes below.
  await rate(CREDENTIALS, (index) =>
    credentialStatus.statuses.create(issuer.tenantId, offerIds[index] as string, rows[index] as CredentialStatusRow),
  )

  const changes = await rate(CREDENTIALS, (index) =>
    credentialStatus.change(issuer.tenantId, offerIds[index] as string, index % 2 ? 'revoked' : 'suspended'),
  )
  console.log(`  status changes: ${changes.toFixed(0)}/s (one statement each)`)

  // A full list: 2^17 entries, one in thirty set.
  const listId = (references[0] as string).split('/').pop() as string
  const full = await credentialStatus.lists.find(issuer.tenantId, `${issuerId}/${listId}`)
  const started = performance.now()
  let size = 0
  for (let index = 0; index < PUBLISHES; index++) {
    size = (await credentialStatus.publisher.publishNow(issuer, listId))?.jwt.length ?? 0
  }
  const publishes = PUBLISHES / ((performance.now() - started) / 1000)
  console.log(
    `  status list tokens published: ${publishes.toFixed(1)}/s (list of ${full?.size} entries, ${CREDENTIALS} set; token ${size} bytes)`,
  )
} finally {
  await service.close()
}
