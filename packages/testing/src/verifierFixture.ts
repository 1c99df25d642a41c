import type { startService } from './testRuntimes.js'

/** A verifier service under test (`startService` with the verifier's `createVerifierApp`): its REST API is what is used. */
type VerifierService = Pick<Awaited<ReturnType<typeof startService>>, 'call' | 'adminApiKey'>

/** A DCQL query for a credential no wallet of these tests holds: for requests that are only made, never answered. */
export const CARD_QUERY = {
  credentials: [{ id: 'card', format: 'dc+sd-jwt', meta: { vct_values: ['urn:x'] }, claims: [{ path: ['name'] }] }],
}

/** A DCQL query for a `pass` credential of type `vct`, disclosing its `given_name`. */
export function givenNameQuery(vct: string) {
  return {
    credentials: [{ id: 'pass', format: 'dc+sd-jwt', meta: { vct_values: [vct] }, claims: [{ path: ['given_name'] }] }],
  }
}

/** Through the verifier's REST API: a tenant labelled `label` (its API key) and a verifier identity. */
export async function tenantWithVerifier(service: VerifierService, label: string) {
  const key = (await service.call('POST', '/tenants', service.adminApiKey, { label })).body.apiKey as string
  const verifierId = (await service.call('POST', '/verifiers', key, {})).body.verifierId as string
  return { key, verifierId }
}
