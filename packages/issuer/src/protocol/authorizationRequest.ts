import { createHash } from 'node:crypto'
import { ProtocolError } from '@attesto/agent-runtime'
import { REQUEST_URI_PREFIX, splitSessionSecret } from '../authorization/AuthorizationSession.js'
import { redirectUriProblem } from '../authorization/redirectUris.js'
import { issuerStateSecret } from '../issuance/IssuanceSession.js'
import { hashSecret, type IssuanceSessionStore } from '../issuance/IssuanceSessionStore.js'
import { scopeOf } from '../issuers/configurationParts.js'
import type { CredentialConfiguration } from '../issuers/credentialConfiguration.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'

/** A pushed authorization request, checked (RFC 9126, RFC 7636, OID4VCI 1.0 §5.1). */
export interface AuthorizationRequest {
  clientId: string
  redirectUri: string
  codeChallenge: string
  walletState?: string
  configuration: CredentialConfiguration
  requestedBy: 'scope' | 'authorization_details'
  scope?: string
  offer?: { offerId: string; secretHash: string }
}

const invalid = (description: string) => new ProtocolError(400, 'invalid_request', description)

/** A parameter sent once at most (RFC 6749 §3.1), as a string. */
export function param(body: Record<string, unknown>, name: string, maxLength = 2000): string | undefined {
  const value = body[name]
  if (value === undefined || value === '') return undefined
  if (typeof value !== 'string') throw invalid(`${name} must be sent once, as a string`)
  if (value.length > maxLength) throw invalid(`${name} is longer than ${maxLength} characters`)
  return value
}

const required = (body: Record<string, unknown>, name: string, maxLength?: number) => {
  const value = param(body, name, maxLength)
  if (value === undefined) throw invalid(`${name} is required`)
  return value
}

/** The configuration a scope value names (HAIP §4.3: one credential type per scope value). */
function byScope(issuer: ResolvedIssuer, scope: string): CredentialConfiguration {
  const values = scope.split(' ').filter(Boolean)
  const matches = Object.values(issuer.profile.configurations).filter((c) => values.includes(scopeOf(c)))
  const unknown = values.filter((value) => value !== 'openid' && !matches.some((c) => scopeOf(c) === value))
  if (unknown.length > 0) throw new ProtocolError(400, 'invalid_scope', `Unknown scope value(s): ${unknown.join(' ')}`)
  const [match, other] = matches
  if (!match) throw new ProtocolError(400, 'invalid_scope', 'The scope names no credential configuration')
  if (other)
    throw new ProtocolError(400, 'invalid_scope', 'Ask for one credential configuration per authorization request')
  return match
}

/** The configuration one `openid_credential` authorization detail names (OID4VCI 1.0 §5.1.1, RFC 9396). */
function byAuthorizationDetails(issuer: ResolvedIssuer, raw: string): CredentialConfiguration {
  const refuse = (description: string) => new ProtocolError(400, 'invalid_authorization_details', description)
  let details: unknown
  try {
    details = JSON.parse(raw)
  } catch {
    throw refuse('authorization_details must be a JSON array')
  }
  if (!Array.isArray(details) || details.length !== 1) {
    throw refuse('authorization_details must be a JSON array of one openid_credential object')
  }
  const [detail] = details as Record<string, unknown>[]
  if (!detail || typeof detail !== 'object' || detail.type !== 'openid_credential') {
    throw refuse("Only authorization details of type 'openid_credential' are supported")
  }
  const id = detail.credential_configuration_id
  if (typeof id !== 'string' || !Object.hasOwn(issuer.profile.configurations, id)) {
    throw refuse(`Unknown credential_configuration_id '${String(id)}'`)
  }
  const locations = detail.locations
  if (
    locations !== undefined &&
    (!Array.isArray(locations) || !locations.every((l) => l === issuer.credentialIssuer))
  ) {
    throw refuse('locations must name this credential issuer only')
  }
  return issuer.profile.configurations[id] as CredentialConfiguration
}

/** The offer an `issuer_state` names, live and of the authorization code grant; `invalid_request` otherwise. */
async function offerOf(issuer: ResolvedIssuer, offers: IssuanceSessionStore, issuerState: string) {
  const parts = splitSessionSecret(issuerState)
  const secretHash = parts && hashSecret(issuerStateSecret(parts.secret))
  const offer = parts ? await offers.find(issuer.tenantId, parts.sessionId) : null
  if (
    !parts ||
    !offer ||
    offer.issuerId !== issuer.profile.issuerId ||
    offer.grant !== 'authorization_code' ||
    offer.codeHash !== secretHash ||
    offer.state !== 'offered' ||
    offer.expiresAt <= Date.now()
  ) {
    throw invalid('issuer_state is unknown, used or expired')
  }
  return { offerId: parts.sessionId, secretHash: secretHash as string, configurationId: offer.configurationId }
}

/** Checks a pushed authorization request; every refusal is the RFC's error code. */
export async function parseAuthorizationRequest(
  issuer: ResolvedIssuer,
  body: Record<string, unknown>,
  offers: IssuanceSessionStore,
): Promise<AuthorizationRequest> {
  if (body.request !== undefined || body.request_uri !== undefined) {
    throw invalid('Send the authorization request as form parameters: request objects are not supported')
  }
  const clientId = required(body, 'client_id', 200)
  const responseType = required(body, 'response_type', 50)
  if (responseType !== 'code') {
    throw new ProtocolError(400, 'unsupported_response_type', "Only response_type 'code' is supported")
  }
  const redirectUri = required(body, 'redirect_uri')
  const problem = redirectUriProblem(redirectUri)
  if (problem) throw invalid(problem)
  const codeChallenge = required(body, 'code_challenge', 128)
  if (param(body, 'code_challenge_method') !== 'S256') {
    throw invalid("PKCE is required with code_challenge_method 'S256' (plain is refused)")
  }
  if (!/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) throw invalid('code_challenge must be a base64url SHA-256 digest')
  const scope = param(body, 'scope', 1000)
  const details = param(body, 'authorization_details', 4000)
  if (!scope && !details) throw invalid('Name the credential: scope or authorization_details')
  const configuration = details ? byAuthorizationDetails(issuer, details) : byScope(issuer, scope as string)
  const issuerState = param(body, 'issuer_state', 200)
  const offer = issuerState ? await offerOf(issuer, offers, issuerState) : undefined
  if (offer && offer.configurationId !== configuration.id) {
    throw new ProtocolError(
      400,
      details ? 'invalid_authorization_details' : 'invalid_scope',
      `The offer of this issuer_state is for '${offer.configurationId}', not '${configuration.id}'`,
    )
  }
  const walletState = param(body, 'state', 500)
  return {
    clientId,
    redirectUri,
    codeChallenge,
    ...(walletState ? { walletState } : {}),
    configuration,
    requestedBy: details ? 'authorization_details' : 'scope',
    ...(details ? {} : { scope: scopeOf(configuration) }),
    ...(offer ? { offer: { offerId: offer.offerId, secretHash: offer.secretHash } } : {}),
  }
}

/** RFC 7636 §4.2: S256 of a code verifier (43 to 128 unreserved characters), or undefined when it is not one. */
export function s256(codeVerifier: string): string | undefined {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(codeVerifier)) return undefined
  return createHash('sha256').update(codeVerifier).digest('base64url')
}

export const requestUriOf = (sessionId: string) => `${REQUEST_URI_PREFIX}${sessionId}`
