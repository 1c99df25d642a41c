import { execFileSync, spawnSync } from 'node:child_process'
import { appendFileSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './redisServer.js'

// PostgreSQL 15 servers of a test's own, in temporary directories on free ports: a primary with
// pg_stat_statements, streaming replicas made by `pg_basebackup -R`, promotion. The machine's
// shared server on 5432 is never touched. initdb and postgres refuse to run as root: as root,
// every command runs as the `postgres` user (`runuser`), which owns the directories.

const BIN = process.env.POSTGRES_BIN_DIR ?? '/usr/lib/postgresql/15/bin'

/** Whether the PostgreSQL server binaries are installed (tests fail instead of skipping under CI). */
export const postgresServerInstalled = existsSync(join(BIN, 'initdb'))

const asRoot = process.getuid?.() === 0

function owner(): { uid: number; gid: number } | undefined {
  if (!asRoot) return undefined
  const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres']).toString().trim()))
  return { uid: uid as number, gid: gid as number }
}

/** Runs one of PostgreSQL's programs (as `postgres` when this process is root); answers its stdout. */
export function runAsPostgres(program: string, args: string[], env: Record<string, string> = {}): string {
  const command = join(BIN, program)
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]
  const result = spawnSync(file, argv, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 })
  if (result.status !== 0) {
    throw new Error(`${program} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`)
  }
  return result.stdout
}

/** A directory under the temporary directory that the server's user owns. */
export function ownedTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const user = owner()
  if (user) chownSync(dir, user.uid, user.gid)
  return dir
}

/**
 * What `PostgresServer.migrated` needs of `@attesto/storage-service`: its module, passed in by the
 * test (this package sits below the storage service, whose own tests use it).
 */
/** The real PostgreSQL of the tests (trust auth on 127.0.0.1 in development and CI). */
export const DATABASE_URL = process.env.ATTESTO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/** `url` connecting as `user` (no password: trust authentication). */
export function urlWithUser(url: string, user: string): string {
  const parsed = new URL(url)
  parsed.username = user
  parsed.password = ''
  return parsed.toString()
}

export interface StorageMigrations<Database extends { close(): Promise<void> }> {
  PostgresDatabase: new (options: { connectionString: string; maxConnections: number }) => Database
  migrate(database: Database, options: { schema: string }): Promise<unknown>
  grantAppRole(database: Database, options: { schema: string; role: string }): Promise<unknown>
}

export interface PostgresServerOptions {
  /** Extra `postgresql.conf` lines. */
  settings?: Record<string, string | number>
}

/** One PostgreSQL server (primary or standby) in a directory of its own. */
export class PostgresServer {
  private running = false

  private constructor(
    public readonly dir: string,
    public readonly port: number,
    /** The standby's name in `pg_stat_replication` (and `synchronous_standby_names`); none for a primary. */
    public readonly standbyName?: string,
  ) {}

  /** A fresh primary, started: trust authentication on 127.0.0.1, WAL for streaming replicas. */
  public static async primary(options: PostgresServerOptions = {}): Promise<PostgresServer> {
    const dir = ownedTempDir('attesto-pg-')
    const data = join(dir, 'data')
    runAsPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'])
    const server = new PostgresServer(dir, await freePort())
    server.configure({
      listen_addresses: "'127.0.0.1'",
      unix_socket_directories: `'${dir}'`,
      wal_level: 'replica',
      max_wal_senders: 10,
      hot_standby: 'on',
      max_connections: 200,
      shared_preload_libraries: "'pg_stat_statements'",
      'pg_stat_statements.track': 'all',
      ...options.settings,
    })
    appendFileSync(join(data, 'pg_hba.conf'), 'host replication all 127.0.0.1/32 trust\n')
    server.start()
    server.sql('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
    return server
  }

  /**
   * A fresh primary with `schemas` migrated by `storage` (the `@attesto/storage-service` module) as
   * `postgres`, the owner, and `appRole` granted on each.
   */
  public static async migrated<Database extends { close(): Promise<void> }>(
    { PostgresDatabase, migrate, grantAppRole }: StorageMigrations<Database>,
    schemas: string[],
    appRole: string,
    options: PostgresServerOptions = {},
  ): Promise<PostgresServer> {
    const server = await PostgresServer.primary(options)
    const owner = new PostgresDatabase({ connectionString: server.url, maxConnections: 1 })
    try {
      for (const schema of schemas) {
        await migrate(owner, { schema })
        await grantAppRole(owner, { schema, role: appRole })
      }
    } finally {
      await owner.close()
    }
    return server
  }

  /** A streaming standby of this server (`pg_basebackup -R`), started under `name`. */
  public async standby(name = 'standby1'): Promise<PostgresServer> {
    const dir = ownedTempDir('attesto-pg-standby-')
    const data = join(dir, 'data')
    runAsPostgres('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(this.port),
      '-U',
      'postgres',
      '-D',
      data,
      '-R',
      '-c',
      'fast',
    ])
    const standby = new PostgresServer(dir, await freePort(), name)
    standby.configure({
      unix_socket_directories: `'${dir}'`,
      primary_conninfo: `'host=127.0.0.1 port=${this.port} user=postgres application_name=${name}'`,
    })
    standby.start()
    return standby
  }

  public get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`
  }

  public get isRunning(): boolean {
    return this.running
  }

  /** Appends settings to `postgresql.auto.conf` (the port among them); a RELOAD or restart applies them. */
  public configure(settings: Record<string, string | number>): void {
    const lines = Object.entries({ port: this.port, ...settings }).map(([key, value]) => `${key} = ${value}\n`)
    appendFileSync(join(this.dir, 'data', 'postgresql.auto.conf'), lines.join(''))
  }

  public start(): void {
    const log = join(this.dir, 'server.log')
    if (!existsSync(log)) {
      writeFileSync(log, '')
      const user = owner()
      if (user) chownSync(log, user.uid, user.gid)
    }
    runAsPostgres('pg_ctl', ['-D', join(this.dir, 'data'), '-l', log, '-w', '-t', '60', 'start'])
    this.running = true
  }

  /** Stops the server: `fast` ends sessions (their transactions roll back), `immediate` is a crash. */
  public stop(mode: 'fast' | 'immediate' = 'fast'): void {
    if (!this.running) return
    runAsPostgres('pg_ctl', ['-D', join(this.dir, 'data'), '-m', mode, '-w', 'stop'])
    this.running = false
  }

  /** Promotes a standby to primary, waiting until it accepts writes. */
  public promote(): void {
    runAsPostgres('pg_ctl', ['-D', join(this.dir, 'data'), '-w', 'promote'])
  }

  /** Runs SQL through psql as `postgres`; answers the unaligned, tuples-only output. */
  public sql(text: string, database = 'postgres'): string {
    return runAsPostgres('psql', [
      '-h',
      '127.0.0.1',
      '-p',
      String(this.port),
      '-U',
      'postgres',
      '-d',
      database,
      '-XAtqc',
      text,
    ]).trim()
  }

  /** Stops the server and removes its directory. */
  public dispose(): void {
    try {
      this.stop('immediate')
    } finally {
      rmSync(this.dir, { recursive: true, force: true })
    }
  }
}
