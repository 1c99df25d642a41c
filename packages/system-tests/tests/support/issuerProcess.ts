import { randomBytes } from 'node:crypto'
import { PostgresDatabase } from '@attesto/storage-service'
import { DATABASE_URL, freePort } from '@attesto/testing'
import { restCaller, ServiceProcess } from './serviceProcess.js'

/**
 * An issuer service as its own process (the built server), on a fresh schema of the real
 * PostgreSQL, for the verifier tests that need real credentials: `call` reaches its REST API
 * (status and parsed body), `kill()` stops it as a crash would, `close()` also drops its schema.
 */
export async function startIssuerProcess(label: string, env: Record<string, string> = {}) {
  const schema = `${label}_issuer_${randomBytes(3).toString('hex')}`
  const adminApiKey = `admin-${randomBytes(16).toString('hex')}`
  const port = await freePort()
  const issuer = await new ServiceProcess('issuer', port, {
    DATABASE_URL,
    DATABASE_SCHEMA: schema,
    KMS_MASTER_KEY: randomBytes(32).toString('base64'),
    ADMIN_API_KEY: adminApiKey,
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    ...env,
  }).start()
  const call = restCaller(issuer.url)
  return {
    url: issuer.url,
    adminApiKey,
    call,
    kill: () => issuer.kill(),
    async close() {
      await issuer.kill()
      const admin = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await admin.close()
    },
  }
}

export type IssuerProcess = Awaited<ReturnType<typeof startIssuerProcess>>
