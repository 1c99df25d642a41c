import { randomBytes } from 'node:crypto'
import { HolderWallet } from '@attesto/holder'
import * as storageService from '@attesto/storage-service'
import { PgBouncer, PostgresServer, urlWithUser } from '@attesto/test-servers'
import { freePort } from '@attesto/testing'
import { ServiceProcess } from './serviceProcess.js'

// Both services on a PostgreSQL of the test's own: a primary with pg_stat_statements, a streaming
// standby (pg_basebackup -R) that is also the synchronous standby, and PgBouncer in transaction
// mode in front of the primary. The services connect to PgBouncer as the least-privileged app
// role; they migrate directly (DATABASE_MIGRATION_URL); the verifier reads its lists from the
// standby (DATABASE_REPLICA_URL).

export const APP_ROLE = 'attesto_pooled_app'
export const SCHEMAS = { issuer: 'pooled_issuer', verifier: 'pooled_verifier' } as const
type Role = keyof typeof SCHEMAS

export interface CallResult {
  status: number
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely in tests
  body: any
}

export class PooledDatabaseScene {
  public readonly adminApiKey = `admin-${randomBytes(16).toString('hex')}`
  public readonly services = {} as Record<Role, ServiceProcess>
  public wallet!: HolderWallet

  private constructor(
    public readonly primary: PostgresServer,
    public readonly standby: PostgresServer,
    public readonly bouncer: PgBouncer,
  ) {}

  public static async start(): Promise<PooledDatabaseScene> {
    const primary = await PostgresServer.migrated(storageService, Object.values(SCHEMAS), APP_ROLE, {
      settings: { 'pg_stat_statements.track': 'top' },
    })
    const standby = await primary.standby('standby1')
    // Commits wait until the standby has applied them: no acknowledged write is lost on a switch.
    primary.configure({ synchronous_standby_names: "'standby1'", synchronous_commit: 'remote_apply' })
    primary.sql('SELECT pg_reload_conf()')
    const bouncer = await PgBouncer.start(primary.port, { users: [APP_ROLE], poolSize: 8 })
    const scene = new PooledDatabaseScene(primary, standby, bouncer)
    primary.sql('SELECT pg_stat_statements_reset()')
    await Promise.all((['issuer', 'verifier'] as const).map((role) => scene.startService(role)))
    scene.wallet = await HolderWallet.open({ inMemory: true, passphrase: 'pooled test', allowInsecureHttp: true })
    return scene
  }

  private async startService(role: Role): Promise<void> {
    const port = await freePort()
    const env: Record<string, string> = {
      DATABASE_URL: urlWithUser(this.bouncer.url, APP_ROLE),
      DATABASE_TRANSACTION_POOLING: 'true',
      DATABASE_MIGRATION_URL: this.primary.url,
      DATABASE_SCHEMA: SCHEMAS[role],
      DATABASE_STATEMENT_TIMEOUT_MILLIS: '3000',
      KMS_MASTER_KEY: randomBytes(32).toString('base64'),
      ADMIN_API_KEY: this.adminApiKey,
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      STATUS_LIST_ALLOW_INSECURE: 'true',
      ...(role === 'verifier' ? { DATABASE_REPLICA_URL: urlWithUser(this.standby.url, APP_ROLE) } : {}),
    }
    this.services[role] = await new ServiceProcess(role, port, env).start()
  }

  public call(role: Role, method: string, path: string, key: string, body?: unknown): Promise<CallResult> {
    return this.services[role].call(method, path, key, body)
  }

  /** Like {@link call}, throwing on anything but 2xx. */
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely in tests
  public async ok(role: Role, method: string, path: string, key: string, body?: unknown): Promise<any> {
    const result = await this.call(role, method, path, key, body)
    if (result.status >= 300) throw new Error(`${method} ${path}: ${result.status} ${JSON.stringify(result.body)}`)
    return result.body
  }

  public async close(): Promise<void> {
    await this.wallet?.close()
    for (const service of Object.values(this.services)) await service.kill()
    await this.bouncer?.stop()
    this.standby?.dispose()
    this.primary?.dispose()
  }
}
