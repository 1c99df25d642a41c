import { TenantDocumentStore } from '@attesto/agent-runtime'
import { z } from 'zod'
import { claimMapping, deferredClaimsSource, endpointClaimsSource } from '../issuers/configurationParts.js'

/**
 * Where a credential's claims come from once the user has logged in (docs/AUTHORIZATION.md):
 * - `id_token` / `userinfo`: the mapping `credential claim ← provider claim`;
 * - `endpoint`: the tenant's claims endpoint, POSTed `{ issuerId, credentialConfigurationId, subject, idToken claims }`
 *   signed like a webhook (`attesto-signature`), answering `{ claims }`;
 * - `deferred`: none yet; the tenant approves them later (`PUT /offers/{offerId}/claims`, deferred configurations only).
 */
export const claimsSourceInput = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('id_token'), mapping: claimMapping }),
  z.strictObject({ type: z.literal('userinfo'), mapping: claimMapping }),
  endpointClaimsSource,
  deferredClaimsSource,
])

export type ClaimsSource = z.output<typeof claimsSourceInput>

/** How the issuer authenticates to the provider's token endpoint. */
export type ProviderClientAuth =
  | { method: 'client_secret_basic'; clientSecret: string }
  | { method: 'private_key_jwt'; keyId: string; alg: 'ES256' }

/**
 * A tenant's OpenID provider, where users log in before an authorization code is issued: its
 * issuer URL (discovered), this service's client registration there, and the claims sources
 * (per `<issuerId>/<configurationId>`, per `<issuerId>`, or `*` for any). The client secret is
 * kept in the tenant's storage like a webhook's signing secret and never answered.
 */
export interface IdentityProvider {
  issuer: string
  clientId: string
  clientAuth: ProviderClientAuth
  /** Scopes asked at the provider besides `openid`. */
  scopes: string[]
  claimsSources: Record<string, ClaimsSource>
  /** The HMAC key of claims-endpoint requests (`attesto-signature`), shown once. */
  claimsEndpointSecret: string
  createdAt: string
  updatedAt: string
}

/** One per tenant, under this id. */
export const IDENTITY_PROVIDER_ID = 'default'

export const identityProviders = new TenantDocumentStore<IdentityProvider>(
  'identity-provider',
  'identity_provider_not_found',
  'identity provider',
)

/** The claims source for a configuration: the most specific key that is set. */
export function claimsSourceOf(
  provider: IdentityProvider,
  issuerId: string,
  configurationId: string,
): ClaimsSource | undefined {
  const sources = provider.claimsSources
  for (const key of [`${issuerId}/${configurationId}`, issuerId, '*']) {
    if (Object.hasOwn(sources, key)) return sources[key]
  }
  return undefined
}
