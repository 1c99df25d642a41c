import { invalidToken, ProtocolError } from '@attesto/agent-runtime'
import type { Request } from 'express'
import { createLocalJWKSet, decodeJwt, errors, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose'
import { type AuthorizationServerKeys, AuthorizationServerKeysError } from '../authorization/AuthorizationServerKeys.js'
import { scopeOf } from '../issuers/configurationParts.js'
import type { CredentialConfiguration } from '../issuers/credentialConfiguration.js'
import { type ExternalAuthorizationServer, ownServerAvailable } from '../issuers/ExternalAuthorizationServer.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import { type DpopTokenCheck, offerOfAccessToken, presentedAccessToken } from './issuerTokens.js'

/** Signature algorithms taken from an external server: asymmetric only (never `none` or an HMAC). */
const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA', 'Ed25519']

/** Seconds of clock difference with the server allowed on `exp`, `iat` and `nbf`. */
export const EXTERNAL_TOKEN_CLOCK_SKEW_SECONDS = 30

/** An external server's access token, checked: its claims and the configurations it grants. */
export interface ExternalAccessToken {
  server: ExternalAuthorizationServer
  payload: JWTPayload & { sub: string }
  token: string
  /** The issuer's configurations its `scope` or `authorization_details` name (at least one). */
  configurations: CredentialConfiguration[]
}

/** The token's `iss` without checking anything, to tell an external server's token from ours. */
function claimedIssuer(token: string): unknown {
  try {
    return decodeJwt(token).iss
  } catch {
    return undefined
  }
}

/** Why jose refused a token, as the wallet is told (401 `invalid_token`). */
function refusalOf(error: unknown): ProtocolError {
  if (error instanceof errors.JWTExpired) return invalidToken('The access token has expired')
  if (error instanceof errors.JWTClaimValidationFailed) {
    return invalidToken(`The access token's '${error.claim}' claim is not accepted: ${error.reason}`)
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return invalidToken("The access token's signature is invalid")
  if (error instanceof errors.JOSEAlgNotAllowed) return invalidToken("The access token's algorithm is not accepted")
  return invalidToken('The access token is invalid')
}

/** The issuer's configurations a token grants (RFC 9068 §2.2.3 `scope`, RFC 9396 `authorization_details` of type openid_credential). */
function grantedConfigurations(issuer: ResolvedIssuer, payload: JWTPayload): CredentialConfiguration[] {
  const configurations = Object.values(issuer.profile.configurations)
  const scopes = new Set(typeof payload.scope === 'string' ? payload.scope.split(' ') : [])
  const details = Array.isArray(payload.authorization_details) ? (payload.authorization_details as unknown[]) : []
  const ids = new Set(
    details.flatMap((detail) => {
      const { type, credential_configuration_id: id } = (detail ?? {}) as Record<string, unknown>
      return type === 'openid_credential' && typeof id === 'string' ? [id] : []
    }),
  )
  return configurations.filter((configuration) => scopes.has(scopeOf(configuration)) || ids.has(configuration.id))
}

/**
 * Checks an RFC 9068 access token of the issuer's external authorization server: `typ` at+jwt,
 * an asymmetric signature by a key of its JWKS (fetched again, rate-limited, for a `kid` it
 * lacks), `iss`, `aud` (the configured audience, default the credential issuer identifier),
 * `exp`, `iat` and `nbf` within {@link EXTERNAL_TOKEN_CLOCK_SKEW_SECONDS}, a `sub`; then a
 * `scope` or `authorization_details` naming a configuration of this issuer (403
 * `insufficient_scope` otherwise).
 */
export async function verifyExternalAccessToken(
  issuer: ResolvedIssuer,
  server: ExternalAuthorizationServer,
  token: string,
  keys: AuthorizationServerKeys,
): Promise<ExternalAccessToken> {
  const verify = (set: JSONWebKeySet) =>
    jwtVerify(token, createLocalJWKSet(set), {
      issuer: server.issuer,
      audience: server.audience ?? issuer.credentialIssuer,
      typ: 'at+jwt',
      algorithms: ALGORITHMS,
      clockTolerance: EXTERNAL_TOKEN_CLOCK_SKEW_SECONDS,
      requiredClaims: ['exp', 'iat', 'sub'],
    })
  let payload: JWTPayload
  try {
    try {
      payload = (await verify(await keys.keys(server))).payload
    } catch (error) {
      const refetched = error instanceof errors.JWKSNoMatchingKey ? keys.refetch(server) : undefined
      if (!refetched) throw error
      payload = (await verify(await refetched)).payload
    }
  } catch (error) {
    if (error instanceof AuthorizationServerKeysError) {
      throw new ProtocolError(
        503,
        'temporarily_unavailable',
        "The authorization server's keys cannot be had: retry later",
      )
    }
    if (error instanceof errors.JWKSNoMatchingKey) {
      throw invalidToken("The access token is signed by a key the authorization server's JWKS does not have")
    }
    throw refusalOf(error)
  }
  const configurations = grantedConfigurations(issuer, payload)
  if (configurations.length === 0) {
    throw new ProtocolError(
      403,
      'insufficient_scope',
      "The access token's scope or authorization_details names no credential configuration of this issuer",
    )
  }
  return { server, payload: payload as ExternalAccessToken['payload'], token, configurations }
}

/** What the credential, deferred and notification endpoints take an access token with. */
export interface AccessTokenOptions {
  dpop: DpopTokenCheck
  /** The external authorization servers' tokens (absent: this issuer's own tokens only). */
  external?: ExternalTokenSessions
}

/** Makes (or finds) the issuance an external server's token is for (externalTokenSessions.ts). */
export interface ExternalTokenSessions {
  keys: AuthorizationServerKeys
  /**
   * The offer id of the issuance of `token` for `target`: for a credential request, the
   * configuration it names (the issuance is made on first use); for a deferred or notification
   * request, the token's issuance that `target.matches`.
   */
  offerOf(issuer: ResolvedIssuer, token: ExternalAccessToken, target: TokenTarget): Promise<string>
}

/** What a request with an access token is after: a credential of a configuration, or an issuance made already. */
export type TokenTarget =
  | { configurationId: string | undefined; vct?: string | undefined; doctype?: string | undefined }
  | { matches(session: { transactionId?: string; notificationId?: string }): boolean }

const DPOP_SCHEME = /^dpop /i

/**
 * The offer id of the access token a request presents, of this issuer's own authorization server
 * (issuerTokens.ts) or of its external one (by the token's `iss`), presented under the scheme it
 * fits (a `cnf.jkt`-bound token only as DPoP with a proof of that key, the issuer's DPoP policy
 * applied to both). While the own server is switched off, its tokens are refused.
 */
export async function offerOfPresentedToken(
  issuer: ResolvedIssuer,
  request: Pick<Request, 'headers' | 'method' | 'path'>,
  options: AccessTokenOptions,
  target: TokenTarget,
): Promise<string> {
  const server = issuer.profile.authorizationServer
  if (!server) return offerOfAccessToken(issuer, request, options.dpop)
  const { scheme, token } = presentedAccessToken(request)
  if (!options.external || claimedIssuer(token) !== server.issuer) {
    if (!ownServerAvailable(issuer.profile)) {
      throw invalidToken(`This issuer takes access tokens of ${server.issuer} only`)
    }
    return offerOfAccessToken(issuer, request, options.dpop)
  }
  let checked: ExternalAccessToken
  try {
    checked = await verifyExternalAccessToken(issuer, server, token, options.external.keys)
  } catch (error) {
    if (error instanceof ProtocolError && error.status === 403) {
      const challenge = DPOP_SCHEME.test(request.headers.authorization ?? '') ? 'DPoP' : 'Bearer'
      const header = `${challenge} error="insufficient_scope", error_description="${error.message}"`
      throw new ProtocolError(403, error.error, error.message, {}, { 'WWW-Authenticate': header })
    }
    throw error
  }
  await scheme(issuer, request, token, checked.payload as Record<string, unknown>, options.dpop)
  return options.external.offerOf(issuer, checked, target)
}

/**
 * Refuses a request to this issuer's own authorization server (token endpoint, PAR) while the
 * tenant has switched it off for an external one (`ownAuthorizationServer: false`).
 */
export function ownServerRequired(issuer: ResolvedIssuer, error: 'unsupported_grant_type' | 'invalid_request'): void {
  const server = issuer.profile.authorizationServer
  if (server && !ownServerAvailable(issuer.profile)) {
    throw new ProtocolError(400, error, `This issuer's access tokens come from ${server.issuer}`)
  }
}
