// What durability across a primary switch costs, and what one primary commits, in one run:
//
//   npm run bench:replication -w @attesto/storage-service
//
// A primary of the bench's own with a streaming standby (pg_basebackup -R), both on this
// machine. Session-row commits (SessionStore: one INSERT, then one conditional UPDATE, the shape
// of a protocol state change) as the least-privileged app role, for each `synchronous_commit`:
// `local` (the standby is asynchronous: an acknowledged write can be lost on a switch),
// `on` (the standby has the WAL on disk) and `remote_apply` (the standby has applied it: reads
// there see it too). Serial (one in flight: the latency a flow pays per commit) and with 32 in
// flight on 8 connections, direct and through PgBouncer in transaction mode (8 server
// connections for 32 client connections). CPU of the postgres processes comes from /proc.
import { readdirSync, readFileSync } from 'node:fs'
import { PgBouncer, PostgresServer } from '@attesto/test-servers'
import { PostgresDatabase } from '../src/database/PostgresDatabase.js'
import * as storageService from '../src/index.js'
import { SessionStore } from '../src/SessionStore.js'
import { urlWithUser } from '../tests/support/testStorage.js'
import { measure } from './measure.js'

const SCHEMA = 'bench_replication'
const APP = 'attesto_bench_replication'
const SERIAL = Number(process.env.BENCH_SERIAL ?? 400)
const CONCURRENT = Number(process.env.BENCH_COUNT ?? 4000)
const FAR = new Date(Date.now() + 3_600_000)

/** CPU seconds (user + system) of the servers in `dirs`: their postmasters and every child of theirs. */
function cpuSecondsOf(dirs: string[]): number {
  const processes = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
        // Fields after the command: state, ppid, …; utime and stime are the 12th and 13th.
        return [{ pid, cmdline, ppid: fields[1], ticks: Number(fields[11]) + Number(fields[12]) }]
      } catch {
        return [] // the process ended meanwhile
      }
    })
  const postmasters = new Set(processes.filter((p) => dirs.some((dir) => p.cmdline.includes(dir))).map((p) => p.pid))
  const ours = processes.filter((p) => postmasters.has(p.pid) || postmasters.has(p.ppid ?? ''))
  return ours.reduce((sum, p) => sum + p.ticks, 0) / 100
}

async function commits(url: string, label: string, pooled: boolean, serverDirs: string[]) {
  const database = new PostgresDatabase({
    connectionString: url,
    maxConnections: pooled ? 32 : 8,
    transactionPooling: pooled,
  })
  const store = new SessionStore<{ state: string; n: number }>(database, SCHEMA, 'BenchSession')
  const run = `${label}-${Date.now()}`
  const commit = async (i: number) => {
    const tenant = `tenant-${i % 50}`
    await store.insert(tenant, `${run}-${i}`, { state: 'offered', n: i }, FAR)
    await store.transition(tenant, `${run}-${i}`, ['offered'], { state: 'issued' })
  }
  const serial = await measure(`${label} serial`, SERIAL, 1, commit)
  const cpuBefore = cpuSecondsOf(serverDirs)
  const parallel = await measure(`${label} 32 in flight`, CONCURRENT, 32, (i) => commit(SERIAL + i))
  const cpu = cpuSecondsOf(serverDirs) - cpuBefore
  await database.close()
  return {
    setting: label,
    'ms per commit (1 in flight)': (1000 / (serial.perSecond * 2)).toFixed(2),
    'commits/s (32 in flight)': Math.round(parallel.perSecond * 2),
    'server CPU ms per commit': ((cpu * 1000) / (CONCURRENT * 2)).toFixed(3),
  }
}

async function main() {
  const primary = await PostgresServer.migrated(storageService, [SCHEMA], APP)
  const standby = await primary.standby('standby1')
  const bouncer = await PgBouncer.start(primary.port, { poolSize: 8, users: [APP] })
  const dirs = [primary.dir, standby.dir]
  const rows = []
  try {
    for (const setting of ['local', 'on', 'remote_apply']) {
      primary.configure({
        synchronous_standby_names: setting === 'local' ? "''" : "'standby1'",
        synchronous_commit: setting,
      })
      primary.sql('SELECT pg_reload_conf()')
      rows.push(await commits(urlWithUser(primary.url, APP), `${setting}, direct`, false, dirs))
      rows.push(await commits(urlWithUser(bouncer.url, APP), `${setting}, PgBouncer`, true, dirs))
    }
  } finally {
    await bouncer.stop()
    standby.dispose()
    primary.dispose()
  }
  console.table(rows)
}

await main()
