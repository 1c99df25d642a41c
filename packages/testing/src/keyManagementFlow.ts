import { expect } from '@jest/globals'

// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely in tests
type Body = Record<string, any>
type Call = (method: string, path: string, key?: string, body?: unknown) => Promise<{ status: number; body: Body }>

/**
 * The key and tenant management both services share, driven through `call` (a checked one, for
 * the OpenAPI conformance tests): the admin's tenant list and a tenant's new key, and the
 * tenant's own keys created, listed and revoked (the last one refused). Leaves `key` working.
 */
export async function exerciseKeyManagement(call: Call, admin: string, key: string, tenantId: string): Promise<void> {
  // The admin's tenant list, one page at a time, and a new key for a tenant.
  const firstPage = await call('GET', '/tenants?limit=1', admin)
  expect(firstPage.status).toBe(200)
  expect(firstPage.body.tenants).toHaveLength(1)
  expect((await call('GET', '/tenants?limit=0', admin)).status).toBe(400)
  expect((await call('GET', '/tenants', key)).status).toBe(401)
  const adminMade = await call('POST', `/tenants/${tenantId}/api-keys`, admin, { name: 'recovery' })
  expect(adminMade.status).toBe(201)
  expect(adminMade.body.apiKey).toMatch(new RegExp(`^atk\\.${tenantId}\\.`))
  expect((await call('POST', '/tenants/no-such-tenant/api-keys', admin, {})).status).toBe(404)
  expect((await call('POST', `/tenants/${tenantId}/api-keys`, admin, { expiresInSeconds: 1 })).status).toBe(400)

  // The tenant's own keys: another one, listed without secrets, revoked.
  const created = await call('POST', '/api-keys', key, { name: 'ci', expiresInSeconds: 3600 })
  expect(created.status).toBe(201)
  expect((await call('POST', '/api-keys', key, { name: '' })).status).toBe(400)
  const listed = await call('GET', '/api-keys', key)
  const ids = (listed.body.apiKeys as { id: string }[]).map(({ id }) => id)
  expect(ids).toEqual(expect.arrayContaining([created.body.id, adminMade.body.id]))
  expect(JSON.stringify(listed.body)).not.toContain((created.body.apiKey as string).split('.')[2])
  expect((await call('DELETE', `/api-keys/${created.body.id}`, key)).status).toBe(204)
  expect((await call('DELETE', `/api-keys/${created.body.id}`, key)).status).toBe(404)
  expect((await call('DELETE', `/api-keys/${adminMade.body.id}`, key)).status).toBe(204)
  // Only `key` is left: the last key is not revoked.
  const [last] = (await call('GET', '/api-keys', key)).body.apiKeys as { id: string }[]
  expect((await call('DELETE', `/api-keys/${last?.id}`, key)).status).toBe(409)
}
