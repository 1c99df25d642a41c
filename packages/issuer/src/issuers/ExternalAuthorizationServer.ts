import { z } from 'zod'
import { claimMapping, deferredClaimsSource, endpointClaimsSource } from './configurationParts.js'

/**
 * Where the credential's claims come from when an external authorization server issued the
 * access token (docs/AUTHORIZATION.md): the issuer knows only the token.
 * - `access_token`: the mapping `credential claim ← access token claim` (the server puts the
 *   subject's attributes in its tokens, as Keycloak's or Entra's claim mappers do);
 * - `endpoint`: the tenant's claims endpoint, POSTed `{ issuerId, credentialConfigurationId, subject, accessTokenClaims }`
 *   signed like a webhook (`attesto-signature`), answering `{ claims }`;
 * - `deferred`: none yet; the tenant approves them later (`PUT /offers/{offerId}/claims`, deferred configurations only).
 */
export const externalClaimsSourceInput = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('access_token'), mapping: claimMapping }),
  endpointClaimsSource,
  deferredClaimsSource,
])

export type ExternalClaimsSource = z.output<typeof externalClaimsSourceInput>

const jwkInput = z.looseObject({ kty: z.enum(['EC', 'OKP', 'RSA']), kid: z.string().max(200).optional() })

/** The body of `PUT /issuers/{issuerId}/authorization-server`. */
export const externalAuthorizationServerInput = z
  .strictObject({
    issuer: z.url().max(500).meta({
      description:
        "The authorization server's issuer identifier (RFC 8414): the `iss` of its access tokens; its metadata (jwks_uri) is discovered from it unless jwksUri or jwks is given",
    }),
    jwksUri: z.url().max(2000).optional().meta({ description: 'Where its signing keys are, instead of discovery' }),
    jwks: z
      .strictObject({ keys: z.array(jwkInput).min(1).max(20) })
      .optional()
      .meta({ description: 'Its public signing keys, given instead of fetched (then a rotation needs a new PUT)' }),
    audience: z.string().min(1).max(500).optional().meta({
      description: 'The `aud` its access tokens must carry for this issuer; default the credential issuer identifier',
    }),
    ownAuthorizationServer: z.boolean().default(true).meta({
      description:
        "Whether the issuer's own authorization server (pre-authorised offers, the authorization code flow with the tenant's OpenID provider) stays available beside it; false: only the external server's tokens are taken, and offers cannot be made",
    }),
    claimsSources: z
      .record(
        z.string().regex(/^(\*|[A-Za-z0-9_-]{1,64})$/, "'*' or a credential configuration id"),
        externalClaimsSourceInput,
      )
      .refine((sources) => Object.keys(sources).length >= 1 && Object.keys(sources).length <= 100, '1 to 100 sources')
      .meta({ description: "Where each configuration's claims come from (key: configuration id, or '*' for any)" }),
  })
  .refine((input) => !(input.jwksUri && input.jwks), { message: 'Give jwksUri or jwks, not both', path: ['jwks'] })

export type ExternalAuthorizationServerInput = z.output<typeof externalAuthorizationServerInput>

/** An issuer's external authorization server, kept in its profile (issuerProfiles.ts; docs/AUTHORIZATION.md). */
export interface ExternalAuthorizationServer extends ExternalAuthorizationServerInput {
  /** The HMAC key of claims-endpoint requests (`attesto-signature`), shown once. */
  claimsEndpointSecret: string
  createdAt: string
  updatedAt: string
}

/** The claims source of a configuration: its own, else `*`. */
export function externalClaimsSourceOf(
  server: ExternalAuthorizationServer,
  configurationId: string,
): ExternalClaimsSource | undefined {
  for (const key of [configurationId, '*']) {
    if (Object.hasOwn(server.claimsSources, key)) return server.claimsSources[key]
  }
  return undefined
}

/** Whether the issuer's own authorization server takes requests (no external one, or one kept beside it). */
export const ownServerAvailable = (profile: {
  authorizationServer?: ExternalAuthorizationServer | undefined
}): boolean => profile.authorizationServer?.ownAuthorizationServer !== false

/**
 * The issuer's authorization servers (OID4VCI 1.0 §12.2.4 `authorization_servers`), or undefined
 * when it is its own only (the parameter is then omitted). Its own comes first while kept: a
 * wallet that does not read an offer's `authorization_server` redeems a pre-authorised code there.
 */
export function authorizationServersOf(
  profile: { authorizationServer?: ExternalAuthorizationServer | undefined },
  credentialIssuer: string,
): string[] | undefined {
  const external = profile.authorizationServer
  if (!external) return undefined
  return ownServerAvailable(profile) ? [credentialIssuer, external.issuer] : [external.issuer]
}
