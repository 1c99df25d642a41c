import { execFileSync } from 'node:child_process'
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PostgresDatabase } from '@attesto/storage-service'
import { freePort } from '@attesto/testing'
import { processTreeCpuMillis } from './processCpu.js'

/** The database the services use; the benchmark's own queries go to `postgres`, so they are not counted. */
const SERVICE_DATABASE = 'attesto'

/** The newest Debian PostgreSQL server binaries (/usr/lib/postgresql/<version>/bin). */
function binaries(): string {
  const versions = readdirSync('/usr/lib/postgresql')
    .map(Number)
    .filter((version) => version > 0)
    .sort((a, b) => b - a)
  if (versions.length === 0) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql')
  return `/usr/lib/postgresql/${versions[0]}/bin`
}

/**
 * A PostgreSQL cluster of the benchmark's own, so that its CPU time and statement counts are the
 * services' alone: initdb into a temporary directory (as the `postgres` OS user when run as root),
 * trust authentication, 127.0.0.1 on a free port, pg_stat_statements loaded. `stop()` removes it.
 */
export class OwnPostgresCluster {
  private constructor(
    private readonly directory: string,
    private readonly run: (command: string, args: string[]) => void,
    public readonly port: number,
    public readonly postmasterPid: number,
    private readonly admin: PostgresDatabase,
  ) {}

  public static async start(): Promise<OwnPostgresCluster> {
    const bin = binaries()
    const directory = mkdtempSync(join(tmpdir(), 'attesto-bench-pg-'))
    const asRoot = process.getuid?.() === 0
    const run = (command: string, args: string[]) => {
      const [file, argv] = asRoot
        ? ['runuser', ['-u', 'postgres', '--', `${bin}/${command}`, ...args]]
        : [`${bin}/${command}`, args]
      execFileSync(file, argv as string[], { stdio: 'pipe' })
    }
    if (asRoot) {
      const { uid, gid } = userIds('postgres')
      chownSync(directory, uid, gid)
    }
    const data = join(directory, 'data')
    const port = await freePort()
    try {
      run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'])
      const options = `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements -c max_connections=200`
      run('pg_ctl', ['-D', data, '-l', join(directory, 'log'), '-w', '-o', options, 'start'])
    } catch (error) {
      rmSync(directory, { recursive: true, force: true })
      throw new Error('could not start a PostgreSQL cluster of our own', { cause: error })
    }
    const postmasterPid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0])
    const admin = new PostgresDatabase({
      connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
      maxConnections: 1,
    })
    const cluster = new OwnPostgresCluster(directory, run, port, postmasterPid, admin)
    try {
      await admin.query('CREATE EXTENSION pg_stat_statements')
      await admin.query(`CREATE DATABASE ${SERVICE_DATABASE}`)
    } catch (error) {
      await cluster.stop()
      throw error
    }
    return cluster
  }

  /** The services' database. */
  public get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${SERVICE_DATABASE}`
  }

  /** CPU milliseconds of the postmaster and all its processes so far. */
  public cpuMillis(): number {
    return processTreeCpuMillis(this.postmasterPid)
  }

  public async resetStatements(): Promise<void> {
    await this.admin.query('SELECT pg_stat_statements_reset()')
  }

  /**
   * Statements of the services' database since the last {@link resetStatements}, and its committed
   * transactions so far. Backends publish transaction counts up to 10 s late (PGSTAT_IDLE_INTERVAL).
   */
  public async counters(): Promise<{ statements: number; transactions: number }> {
    const { rows } = await this.admin.query<{ statements: string; transactions: string }>(
      `SELECT (SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                WHERE d.datname = $1) AS statements,
              (SELECT xact_commit FROM pg_stat_database WHERE datname = $1) AS transactions`,
      [SERVICE_DATABASE],
    )
    return { statements: Number(rows[0]?.statements), transactions: Number(rows[0]?.transactions) }
  }

  /** Calls per normalised statement of the services' database since the last {@link resetStatements}. */
  public async statementCalls(): Promise<{ query: string; calls: number }[]> {
    const { rows } = await this.admin.query<{ query: string; calls: string }>(
      `SELECT s.query, s.calls FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1`,
      [SERVICE_DATABASE],
    )
    return rows.map((row) => ({ query: row.query, calls: Number(row.calls) }))
  }

  /** Stops the cluster at once and removes its directory. */
  public async stop(): Promise<void> {
    await this.admin.close().catch(() => {})
    try {
      this.run('pg_ctl', ['-D', join(this.directory, 'data'), '-m', 'immediate', 'stop'])
    } catch {
      // Already stopped.
    }
    rmSync(this.directory, { recursive: true, force: true })
  }
}

function userIds(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`))
  if (!line) throw new Error(`no OS user '${name}' to run PostgreSQL as`)
  const [, , uid, gid] = line.split(':')
  return { uid: Number(uid), gid: Number(gid) }
}
