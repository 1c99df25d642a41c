import { guardedRequest, SIGNATURE_HEADER, signWebhook } from '@attesto/agent-runtime'
import { type CredentialConfiguration, claimProblems } from '../issuers/credentialConfiguration.js'
import type { ExternalClaimsSource } from '../issuers/ExternalAuthorizationServer.js'
import type { ClaimsSource, IdentityProvider } from './IdentityProvider.js'
import type { LoginResult } from './OpenIdLogin.js'

/** The claims of a login could not be had, or do not fit the configuration: the wallet is told `access_denied`. */
export class LoginClaimsError extends Error {}

export interface LoginClaimsOptions {
  issuerId: string
  configuration: CredentialConfiguration
  /** Who logged in; with an external authorization server, the access token's `sub` and claims instead. */
  login: LoginResult | { subject: string; accessTokenClaims: Record<string, unknown> }
  /** Allow http:// and loopback claims endpoints (development and tests only). */
  allowInsecure: boolean
}

const mapped = (mapping: Record<string, string>, from: Record<string, unknown> | undefined) =>
  Object.fromEntries(
    Object.entries(mapping).flatMap(([claim, providerClaim]) =>
      from && Object.hasOwn(from, providerClaim) && from[providerClaim] !== undefined
        ? [[claim, from[providerClaim]]]
        : [],
    ),
  )

/**
 * The tenant's claims endpoint: one POST of who logged in, signed like a webhook delivery (HMAC
 * of `<timestamp>.<body>` in `attesto-signature`) and sent through the webhooks' address guard,
 * answered `200 { "claims": { … } }`.
 */
async function endpointClaims(
  url: string,
  provider: Pick<IdentityProvider, 'claimsEndpointSecret'>,
  options: LoginClaimsOptions,
): Promise<Record<string, unknown>> {
  const { login } = options
  const body = JSON.stringify({
    issuerId: options.issuerId,
    credentialConfigurationId: options.configuration.id,
    subject: login.subject,
    ...('accessTokenClaims' in login
      ? { accessTokenClaims: login.accessTokenClaims }
      : { idTokenClaims: login.idTokenClaims }),
  })
  const timestamp = Math.floor(Date.now() / 1000)
  let answer: Awaited<ReturnType<typeof guardedRequest>>
  try {
    answer = await guardedRequest(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        [SIGNATURE_HEADER]: signWebhook(provider.claimsEndpointSecret, timestamp, body),
      },
      body,
      timeoutMillis: 10_000,
      allowInsecure: options.allowInsecure,
      label: 'Claims endpoint',
    })
  } catch (cause) {
    throw new LoginClaimsError('The claims endpoint could not be reached', { cause })
  }
  if (answer.status !== 200) throw new LoginClaimsError(`The claims endpoint answered ${answer.status}`)
  try {
    const claims = (JSON.parse(answer.body.toString('utf8')) as { claims?: unknown }).claims
    if (claims && typeof claims === 'object' && !Array.isArray(claims)) return claims as Record<string, unknown>
  } catch (cause) {
    throw new LoginClaimsError('The claims endpoint answered no JSON', { cause })
  }
  throw new LoginClaimsError('The claims endpoint answered no "claims" object')
}

/**
 * The credential's claims for a login, from the configuration's claims source, checked against
 * the configuration (every problem refuses); `{}` for a deferred source (approved later).
 */
export async function loginClaims(
  source: ClaimsSource | ExternalClaimsSource,
  provider: Pick<IdentityProvider, 'claimsEndpointSecret'>,
  options: LoginClaimsOptions,
): Promise<Record<string, unknown>> {
  const { login } = options
  let claims: Record<string, unknown>
  if (source.type === 'deferred') {
    if (!options.configuration.deferred) {
      throw new LoginClaimsError(`Configuration '${options.configuration.id}' is not deferred: its claims cannot wait`)
    }
    return {}
  }
  if (source.type === 'endpoint') claims = await endpointClaims(source.url, provider, options)
  else if ('accessTokenClaims' in login) {
    claims = source.type === 'access_token' ? mapped(source.mapping, login.accessTokenClaims) : {}
  } else if (source.type === 'access_token') claims = {}
  else claims = mapped(source.mapping, source.type === 'id_token' ? login.idTokenClaims : login.userinfo)
  const problems = claimProblems(options.configuration, claims)
  if (problems.length > 0) {
    throw new LoginClaimsError(
      `The account's claims do not fit the credential: ${problems.map((p) => p.message).join('; ')}`,
    )
  }
  return claims
}
