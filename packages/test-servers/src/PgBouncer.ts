import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { chownSync, existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { ownedTempDir } from './PostgresCluster.js'
import { freePort } from './redisServer.js'

// Debian's PgBouncer in transaction pooling mode, in front of a test's own PostgreSQL. Like
// postgres it refuses to run as root, so as root it runs as the `postgres` user. `pointAt`
// rewrites its configuration and RELOADs it: the stable address across a primary switch.

const PGBOUNCER = process.env.PGBOUNCER_BIN ?? '/usr/sbin/pgbouncer'

/** Whether the pgbouncer binary is installed (tests fail instead of skipping under CI). */
export const pgBouncerInstalled = existsSync(PGBOUNCER)

export interface PgBouncerOptions {
  /** Server connections per database and user pair (`default_pool_size`, default 20). */
  poolSize?: number
  /** Login roles besides `postgres` (trust authentication still needs each in the auth file). */
  users?: string[]
}

export class PgBouncer {
  private process?: ChildProcess
  private output = ''

  private constructor(
    private readonly dir: string,
    public readonly port: number,
    private upstreamPort: number,
    private readonly options: PgBouncerOptions,
  ) {}

  /** Starts PgBouncer on a free port, pooling connections to the server on `upstreamPort`. */
  public static async start(upstreamPort: number, options: PgBouncerOptions = {}): Promise<PgBouncer> {
    const bouncer = new PgBouncer(ownedTempDir('attesto-pgbouncer-'), await freePort(), upstreamPort, options)
    bouncer.writeConfig()
    const asRoot = process.getuid?.() === 0
    const ini = join(bouncer.dir, 'pgbouncer.ini')
    // setpriv executes pgbouncer in its own process (runuser would stand between it and our signals).
    const asPostgres = ['--reuid=postgres', '--regid=postgres', '--init-groups']
    const [file, argv] = asRoot ? ['setpriv', [...asPostgres, PGBOUNCER, ini]] : [PGBOUNCER, [ini]]
    bouncer.process = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
    const collect = (chunk: Buffer) => {
      bouncer.output = (bouncer.output + chunk.toString()).slice(-20_000)
    }
    bouncer.process.stdout?.on('data', collect)
    bouncer.process.stderr?.on('data', collect)
    await bouncer.waitUntilListening()
    return bouncer
  }

  public get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`
  }

  /** The last lines PgBouncer logged, for failure messages. */
  public get log(): string {
    return this.output
  }

  /** Points the pool at another server: rewrites the configuration and RELOADs it. */
  public async pointAt(upstreamPort: number): Promise<void> {
    this.upstreamPort = upstreamPort
    this.writeConfig()
    await this.admin('RELOAD')
  }

  /** Runs a command on PgBouncer's admin console (`SHOW POOLS`, `RELOAD`, …). */
  public async admin(command: string): Promise<Record<string, unknown>[]> {
    const client = new pg.Client({ host: '127.0.0.1', port: this.port, user: 'postgres', database: 'pgbouncer' })
    await client.connect()
    try {
      // The admin console speaks only the simple query protocol.
      const result = await client.query({ text: command, queryMode: 'simple' } as pg.QueryConfig)
      return result.rows
    } finally {
      await client.end()
    }
  }

  public async stop(): Promise<void> {
    const child = this.process
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      // SIGTERM: immediate shutdown (SIGINT would wait for every client to leave).
      child.kill('SIGTERM')
      let timer: NodeJS.Timeout | undefined
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))])
      clearTimeout(timer)
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    rmSync(this.dir, { recursive: true, force: true })
  }

  private writeConfig(): void {
    const users = join(this.dir, 'users.txt')
    const names = ['postgres', ...(this.options.users ?? [])]
    writeFileSync(users, names.map((name) => `"${name}" ""\n`).join(''))
    const ini = join(this.dir, 'pgbouncer.ini')
    writeFileSync(
      ini,
      [
        '[databases]',
        `* = host=127.0.0.1 port=${this.upstreamPort}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${this.port}`,
        `unix_socket_dir = ${this.dir}`,
        'auth_type = trust',
        `auth_file = ${users}`,
        'admin_users = postgres',
        'pool_mode = transaction',
        `default_pool_size = ${this.options.poolSize ?? 20}`,
        'max_client_conn = 500',
        // pg sends these as startup parameters; the runtime sets them per transaction instead.
        'ignore_startup_parameters = extra_float_digits,statement_timeout,idle_in_transaction_session_timeout',
        // A dead server is retried quickly and a waiting client gives up quickly (a 503, not a hang).
        'server_login_retry = 1',
        'query_wait_timeout = 10',
        'server_connect_timeout = 3',
        'idle_transaction_timeout = 10',
        '',
      ].join('\n'),
    )
    if (process.getuid?.() === 0) {
      const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim())
      for (const file of [users, ini]) chownSync(file, id('-u'), id('-g'))
    }
  }

  private async waitUntilListening(): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      if (this.process?.exitCode !== null) throw new Error(`pgbouncer exited: ${this.output}`)
      try {
        await this.admin('SHOW VERSION')
        return
      } catch {
        await sleep(100)
      }
    }
    throw new Error(`pgbouncer did not start: ${this.output}`)
  }
}
