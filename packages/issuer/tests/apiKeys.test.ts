import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startService } from '@attesto/testing'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'

// Tenant API keys and admin keys over HTTP, on two instances sharing one schema of the real
// PostgreSQL; the API-key cache time is 1 s here (API_KEY_CACHE_SECONDS) instead of 10 s.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

describe('tenant API keys', () => {
  let a: Service
  let b: Service
  let firstKey = ''
  let tenantId = ''

  beforeAll(async () => {
    a = await startService('issuer', createIssuerApp, { API_KEY_CACHE_SECONDS: '1' })
    b = await startService('issuer', createIssuerApp, {
      API_KEY_CACHE_SECONDS: '1',
      DATABASE_SCHEMA: a.schema,
      ADMIN_API_KEY: a.adminApiKey,
    })
    const tenant = await a.call('POST', '/tenants', a.adminApiKey, { label: 'University' })
    firstKey = tenant.body.apiKey
    tenantId = tenant.body.id
  })
  afterAll(async () => {
    await b?.http.shutdown()
    await b?.runtime.close()
    await a?.close()
  })

  it('creates, lists and revokes keys; a revoked key is refused on another instance after the cache time', async () => {
    const created = await a.call('POST', '/api-keys', firstKey, { name: 'ci deploy', expiresInSeconds: 3600 })
    expect(created.status).toBe(201)
    const { apiKey, id } = created.body as { apiKey: string; id: string }
    expect(apiKey).toMatch(new RegExp(`^atk\\.${tenantId}\\.`))
    expect(created.body).toMatchObject({ name: 'ci deploy', prefix: apiKey.slice(0, apiKey.lastIndexOf('.') + 7) })
    expect(Date.parse(created.body.expiresAt) - Date.now()).toBeGreaterThan(3500_000)

    // Both instances accept it (and B caches the tenant record with it).
    expect((await b.call('GET', '/api-keys', apiKey)).status).toBe(200)
    const listed = await a.call('GET', '/api-keys', apiKey)
    expect(listed.body.apiKeys).toHaveLength(2)
    expect(listed.body.apiKeys[1]).toEqual({
      id,
      name: 'ci deploy',
      prefix: created.body.prefix,
      createdAt: created.body.createdAt,
      expiresAt: created.body.expiresAt,
    })
    expect(listed.body.apiKeys[0]).toMatchObject({ name: null, expiresAt: null })
    const secret = apiKey.split('.')[2] as string
    expect(JSON.stringify(listed.body)).not.toContain(secret)
    expect(JSON.stringify(listed.body)).not.toMatch(/[0-9a-f]{64}/)

    expect((await a.call('DELETE', `/api-keys/${id}`, firstKey)).status).toBe(204)
    expect(
      (await a.call('GET', '/api-keys', firstKey)).body.apiKeys.map((key: { id: string }) => key.id),
    ).not.toContain(id)
    await sleep(1_200)
    for (const service of [a, b]) {
      const refused = await service.call('GET', '/api-keys', apiKey)
      expect(refused.status).toBe(401)
      expect(refused.body.error.code).toBe('unauthorized')
    }
    expect((await b.call('GET', '/api-keys', firstKey)).status).toBe(200)
  })

  it('keeps a revoked key revoked when a writer saves an older copy of the tenant record', async () => {
    const { TenantsApi, issueTenantApiKey } = await import('@attesto/agent-runtime')
    const created = await a.call('POST', '/api-keys', firstKey, { name: 'doomed' })
    const tenants = a.runtime.agent.dependencyManager.resolve(TenantsApi)
    const stale = await tenants.getTenantById(tenantId)
    expect((await a.call('DELETE', `/api-keys/${created.body.id}`, firstKey)).status).toBe(204)
    // A concurrent key creation that read the record before the revocation writes it back.
    const another = await issueTenantApiKey(tenants, stale)
    await sleep(1_200)
    expect((await b.call('GET', '/api-keys', created.body.apiKey)).status).toBe(401)
    const listed = (await b.call('GET', '/api-keys', another)).body.apiKeys.map((key: { id: string }) => key.id)
    expect(listed).not.toContain(created.body.id)
    const anotherId = listed[listed.length - 1]
    expect((await a.call('DELETE', `/api-keys/${anotherId}`, firstKey)).status).toBe(204)
  })

  it('refuses revoking the last key, unknown keys, another tenant’s keys and unknown fields', async () => {
    const [only] = (await a.call('GET', '/api-keys', firstKey)).body.apiKeys
    const last = await a.call('DELETE', `/api-keys/${only.id}`, firstKey)
    expect(last.status).toBe(409)
    expect(last.body.error.code).toBe('last_api_key')
    expect((await a.call('DELETE', '/api-keys/0000000000000000', firstKey)).body.error.code).toBe('api_key_not_found')
    const other = (await a.call('POST', '/tenants', a.adminApiKey, { label: 'Other' })).body.apiKey
    expect((await a.call('DELETE', `/api-keys/${only.id}`, other)).status).toBe(404)
    const strict = await a.call('POST', '/api-keys', firstKey, { name: 'x', scope: 'admin' })
    expect(strict.status).toBe(400)
    expect((await a.call('POST', '/api-keys', firstKey, { expiresInSeconds: 5 })).status).toBe(400)
  })

  it('refuses a key once it has expired', async () => {
    const created = await a.call('POST', '/api-keys', firstKey, { name: 'short', expiresInSeconds: 60 })
    expect((await b.call('GET', '/api-keys', created.body.apiKey)).status).toBe(200)
    // Move its expiry into the past, as time would.
    await a.runtime.storage.database.query(
      `UPDATE "${a.schema}".records SET value = jsonb_set(value, '{apiKeys}', (
         SELECT jsonb_agg(CASE WHEN key->>'id' = $2 THEN key || '{"expiresAt":"2000-01-01T00:00:00.000Z"}' ELSE key END)
         FROM jsonb_array_elements(value->'apiKeys') key))
       WHERE record_type = 'AttestoTenantRecord' AND id = $1`,
      [tenantId, created.body.id],
    )
    await sleep(1_200)
    expect((await b.call('GET', '/api-keys', created.body.apiKey)).status).toBe(401)
    expect((await b.call('GET', '/api-keys', firstKey)).status).toBe(200)
  })

  it('lists tenants page by page and issues a key for a tenant, admin only', async () => {
    for (let index = 0; index < 3; index++) await a.call('POST', '/tenants', a.adminApiKey, { label: `T${index}` })
    const labels: string[] = []
    let cursor: string | null = null
    do {
      const page = await b.call('GET', `/tenants?limit=2${cursor ? `&cursor=${cursor}` : ''}`, a.adminApiKey)
      expect(page.status).toBe(200)
      labels.push(...page.body.tenants.map((tenant: { label: string }) => tenant.label))
      cursor = page.body.next_cursor
    } while (cursor)
    expect(labels).toEqual(['University', 'Other', 'T0', 'T1', 'T2'])
    expect((await a.call('GET', '/tenants', firstKey)).status).toBe(401)
    const issued = await a.call('POST', `/tenants/${tenantId}/api-keys`, a.adminApiKey, { name: 'recovery' })
    expect(issued.status).toBe(201)
    expect((await b.call('GET', '/api-keys', issued.body.apiKey)).status).toBe(200)
    expect((await a.call('POST', '/tenants/nope/api-keys', a.adminApiKey, {})).status).toBe(404)
  })
})

describe('admin key rotation', () => {
  const oldKey = `old-${randomBytes(16).toString('hex')}`
  const newKey = `new-${randomBytes(16).toString('hex')}`
  const services: Service[] = []
  afterAll(async () => {
    for (const service of services.reverse()) await service.close()
  })

  it('accepts the current and previous keys during the window, then only the new one (given as a file)', async () => {
    const before = await startService('issuer', createIssuerApp, { ADMIN_API_KEY: oldKey })
    services.push(before)
    const during = await startService('issuer', createIssuerApp, { ADMIN_API_KEY: newKey, ADMIN_API_KEYS: oldKey })
    services.push(during)
    const directory = mkdtempSync(join(tmpdir(), 'attesto-admin-'))
    writeFileSync(join(directory, 'admin-keys'), `${newKey}\n`)
    // (startService also sets an admin key of its own; it plays no part here.)
    const after = await startService('issuer', createIssuerApp, { ADMIN_API_KEYS_FILE: join(directory, 'admin-keys') })
    services.push(after)
    const create = (service: Service, key: string) => service.call('POST', '/tenants', key, { label: 'x' })

    expect((await create(before, oldKey)).status).toBe(201)
    expect((await create(before, newKey)).status).toBe(401)
    expect((await create(during, oldKey)).status).toBe(201)
    expect((await create(during, newKey)).status).toBe(201)
    expect((await during.call('GET', '/admin/queues', oldKey)).status).not.toBe(401)
    expect((await create(after, newKey)).status).toBe(201)
    expect((await create(after, oldKey)).status).toBe(401)
  })
})
