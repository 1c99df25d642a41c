import { setTimeout as sleep } from 'node:timers/promises'
import { PostgresServer, postgresServerInstalled } from '@attesto/test-servers'
import { PostgresDatabase } from '../src/database/PostgresDatabase.js'
import * as storageService from '../src/index.js'
import { RecordPages } from '../src/RecordPages.js'
import { SessionStore } from '../src/SessionStore.js'
import { urlWithUser } from './support/testStorage.js'

// A real streaming replica: a primary of the test's own and a standby made by pg_basebackup -R.
// The service connects as the least-privileged app role (row-level security binds it on both).
// Lists (RecordPages) are lag-tolerant and go to the replica; a session's status read goes to the
// primary, so it sees a state change at once even while the replica has stopped replaying WAL.
// When the replica is down, lists fall back to the primary (counted, and told once), and go back
// to the replica once it answers again.

const run = postgresServerInstalled || process.env.CI === 'true' ? describe : describe.skip
const SCHEMA = 'replica_test'
const APP = 'attesto_replica_app'

run('read replica (streaming, pg_basebackup -R)', () => {
  let primary: PostgresServer
  let standby: PostgresServer
  let database: PostgresDatabase
  const events: string[] = []
  let fallbacks = 0

  beforeAll(async () => {
    primary = await PostgresServer.migrated(storageService, [SCHEMA], APP)
    standby = await primary.standby()
    database = new PostgresDatabase({
      connectionString: urlWithUser(primary.url, APP),
      replicaConnectionString: urlWithUser(standby.url, APP),
      applicationName: 'attesto-replica-test',
      connectionTimeoutMillis: 1_000,
      replicaRetryMillis: 300,
      observer: {
        onWork: () => {},
        onReplicaFallback: () => fallbacks++,
        onReplicaAvailability: (available) => events.push(available ? 'up' : 'down'),
      },
    })
  }, 120_000)

  afterAll(async () => {
    await database?.close()
    standby?.dispose()
    primary?.dispose()
  })

  /** Waits until the standby has replayed everything the primary has written so far. */
  async function replayed(): Promise<void> {
    const target = primary.sql('SELECT pg_current_wal_lsn()')
    for (let i = 0; i < 200; i++) {
      if (standby.sql(`SELECT pg_last_wal_replay_lsn() >= '${target}'::pg_lsn`) === 't') return
      await sleep(25)
    }
    throw new Error('the standby did not catch up')
  }

  const sessions = () => new SessionStore<{ state: string }>(database, SCHEMA, 'ReplicaTestSession')
  const pages = () => new RecordPages(database, SCHEMA)
  const listStates = async (tenant: string) =>
    (await pages().page<{ state: string }>(tenant, { recordType: 'ReplicaTestSession', limit: 10 })).items.map(
      (item) => item.value.state,
    )
  const calls = (server: PostgresServer, fragment: string) =>
    Number(
      server.sql(`SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE '%${fragment}%'
        AND query NOT LIKE '%pg_stat_statements%'`),
    )

  it('serves lists from the replica: its connections and statements are on the standby', async () => {
    await sessions().insert('tenant-a', 's1', { state: 'offered' }, new Date(Date.now() + 3_600_000))
    await replayed()
    expect(await listStates('tenant-a')).toEqual(['offered'])
    expect(await listStates('tenant-b')).toEqual([])
    expect(
      standby.sql("SELECT count(*) > 0 FROM pg_stat_activity WHERE application_name = 'attesto-replica-test:replica'"),
    ).toBe('t')
    expect(
      primary.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'attesto-replica-test:replica'"),
    ).toBe('0')
    // The page statement (it selects created_micros) ran on the standby, never on the primary.
    expect(calls(standby, 'created_micros')).toBeGreaterThanOrEqual(2)
    expect(calls(primary, 'created_micros')).toBe(0)
  })

  it('reads a state change at once on the primary while the replica lags; the list catches up', async () => {
    await sessions().insert('tenant-a', 's2', { state: 'offered' }, new Date(Date.now() + 3_600_000))
    await replayed()
    standby.sql('SELECT pg_wal_replay_pause()')
    try {
      expect(await sessions().transition('tenant-a', 's2', ['offered'], { state: 'credential_issued' })).toEqual({
        state: 'credential_issued',
      })
      // The status read of one session: the primary, never stale.
      expect(await sessions().find('tenant-a', 's2')).toEqual({ state: 'credential_issued' })
      // The list: the replica, which has not replayed the change yet.
      expect(await listStates('tenant-a')).toEqual(['offered', 'offered'])
    } finally {
      standby.sql('SELECT pg_wal_replay_resume()')
    }
    await replayed()
    expect(await listStates('tenant-a')).toEqual(['offered', 'credential_issued'])
  })

  it('falls back to the primary while the replica is down, and returns to it when it is back', async () => {
    standby.stop('fast')
    const before = fallbacks
    expect(await listStates('tenant-a')).toEqual(['offered', 'credential_issued'])
    expect(await listStates('tenant-a')).toEqual(['offered', 'credential_issued'])
    expect(events).toEqual(['down'])
    expect(fallbacks - before).toBe(2)
    const onPrimary = calls(primary, 'created_micros')
    expect(onPrimary).toBeGreaterThanOrEqual(2)

    standby.start()
    await replayed()
    await sleep(350) // the retry interval (300 ms)
    const onStandby = calls(standby, 'created_micros')
    expect(await listStates('tenant-a')).toEqual(['offered', 'credential_issued'])
    expect(events).toEqual(['down', 'up'])
    expect(calls(standby, 'created_micros')).toBe(onStandby + 1)
    expect(calls(primary, 'created_micros')).toBe(onPrimary)
  })
})
