import { randomBytes } from 'node:crypto'
import type { DevelopmentCa } from '@attesto/protocol-kit'
import { REDIS_URL, startService } from '@attesto/testing'
import type { createIssuerApp, IssuerRuntime } from '../../src/app.js'

type IssuerService = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

/**
 * The environment of issuer instances that stand behind one balancer in a test: one public URL,
 * one master key, the shared Redis under a prefix of their own (`<name>-<random>`), and no
 * per-address limits (every request comes from 127.0.0.1).
 */
export function sharedInstanceEnv(publicUrl: string, name: string, extra: Record<string, string> = {}) {
  return {
    PUBLIC_BASE_URL: publicUrl,
    KMS_MASTER_KEY: randomBytes(32).toString('base64'),
    TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
    PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
    REDIS_URL,
    QUEUE_PREFIX: `${name}-${randomBytes(4).toString('hex')}`,
    ...extra,
  }
}

export interface IssuerFixtureOptions {
  label: string
  configurationId: string
  vct: string
  claims: { name: string; type: string; required?: boolean }[]
  deferred?: boolean
}

/**
 * Through the issuer's REST API: a tenant (its API key), an issuer identity, and one credential
 * configuration.
 */
export async function tenantWithIssuer(service: IssuerService, options: IssuerFixtureOptions) {
  const key = (await service.call('POST', '/tenants', service.adminApiKey, { label: options.label })).body
    .apiKey as string
  const issuerId = (await service.call('POST', '/issuers', key, {})).body.issuerId as string
  const configuration = await service.call(
    'PUT',
    `/issuers/${issuerId}/credential-configurations/${options.configurationId}`,
    key,
    { vct: options.vct, claims: options.claims, ...(options.deferred ? { deferred: true } : {}) },
  )
  if (configuration.status !== 200) throw new Error(`configuration: ${JSON.stringify(configuration.body)}`)
  return { key, issuerId }
}

/** The issuance sessions (one per offer made) of the tenant whose API key is `key`, counted in its schema. */
export async function issuanceSessionCount(service: IssuerService, key: string): Promise<number> {
  const { rows } = await service.runtime.storage.database.query<{ count: string }>(
    `SELECT count(*) FROM "${service.schema}".records WHERE tenant_id = $1 AND record_type = 'IssuanceSession'`,
    [`tenant-${key.split('.')[1]}`],
  )
  return Number(rows[0]?.count)
}

/**
 * Two issuer instances on one schema (sharing whatever `env` gives both: the public URL, the KMS
 * master key, Redis), and on the first a tenant with an issuer and a `pass` configuration
 * (`https://issuer.test/pass`, one required `given_name`).
 */
export async function issuerPair(
  create: (...args: Parameters<typeof createIssuerApp>) => Promise<IssuerRuntime>,
  env: Record<string, string>,
  label: string,
) {
  const app = (config: Parameters<typeof createIssuerApp>[0], logger: Parameters<typeof createIssuerApp>[1]) =>
    create(config, logger)
  const a = await startService('issuer', app, env)
  const b = await startService('issuer', app, { ...env, DATABASE_SCHEMA: a.schema })
  const { key, issuerId } = await tenantWithIssuer(a, {
    label,
    configurationId: 'pass',
    vct: 'https://issuer.test/pass',
    claims: [{ name: 'given_name', type: 'string', required: true }],
  })
  return { a, b, key, issuerId }
}

/**
 * Stops services that share the first one's schema: the others first (their HTTP server and
 * runtime, the schema kept), then the first, which drops it.
 */
export async function closeSharingSchema(services: IssuerService[]): Promise<void> {
  for (const service of services.slice(1)) {
    await service.http.shutdown()
    await service.runtime.close()
  }
  await services[0]?.close()
}

/**
 * Through the REST API: the issuer's certificate signing request (subject `CN=<commonName>`),
 * signed by `ca`, uploaded as its chain. Answers the upload (200 with the certificate's summary).
 */
export async function certifyIssuer(
  service: IssuerService,
  key: string,
  issuerId: string,
  ca: DevelopmentCa,
  commonName = 'University',
) {
  const csr = (await service.call('POST', `/issuers/${issuerId}/certificate-signing-request`, key, { commonName })).body
    .csr as string
  return service.call('PUT', `/issuers/${issuerId}/certificate`, key, { chain: await ca.issue(csr) })
}

/** Through the REST API: a deferred configuration `later` on the issuer and an offer of it (its claims to come). */
export async function deferredOffer(service: IssuerService, key: string, issuerId: string) {
  const later = await service.call('PUT', `/issuers/${issuerId}/credential-configurations/later`, key, {
    vct: 'https://issuer.test/later',
    deferred: true,
    claims: [{ name: 'given_name', type: 'string', required: true }],
  })
  if (later.status !== 200) throw new Error(`configuration: ${JSON.stringify(later.body)}`)
  const created = await service.call('POST', '/offers', key, { issuerId, credentialConfigurationId: 'later' })
  return created.body as { offerId: string; uri: string }
}

/**
 * A load balancer in front of instances serving one public URL: `route` sends a URL of its host to
 * each instance in turn (others pass unchanged), `balanced` is fetch through it. `instances` is
 * read on each request, so it may name services started later.
 */
export function roundRobin(publicUrl: string, instances: () => { http: { url: string } }[]) {
  let turn = 0
  const host = new URL(publicUrl).host
  const route = (url: URL) => {
    if (url.host !== host) return url
    const all = instances()
    return new URL(url.toString().replace(publicUrl, (all[turn++ % all.length] as { http: { url: string } }).http.url))
  }
  const balanced = ((url: string | URL, init?: RequestInit) =>
    fetch(route(new URL(url.toString())), init)) as typeof fetch
  return { route, balanced }
}
