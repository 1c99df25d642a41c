import type { startService } from '@attesto/agent-runtime/testing'
import type { IssuerRuntime } from '../../src/app.js'

type IssuerService = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

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
