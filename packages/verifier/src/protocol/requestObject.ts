import { signJwt } from '@attesto/agent-runtime'
import { SUPPORTED_ALGORITHMS } from '@attesto/protocol-kit/jose'
import type { AgentContext } from '@credo-ts/core'
import type { VerificationSession } from '../verification/VerificationSession.js'
import type { VerifierProfile } from '../verification/verifierDocuments.js'
import type { RequestSignerHeader } from './clientIdentifier.js'

/** OID4VP 1.0 §5.8: the audience of a request object under static discovery metadata. */
export const SELF_ISSUED_AUDIENCE = 'https://self-issued.me/v2'
/** Content encryptions the verifier decrypts; the wallet picks one. */
export const RESPONSE_ENCRYPTIONS = ['A128GCM', 'A256GCM'] as const
/** Signature algorithms accepted for the credential and the key-binding proof: asymmetric only. */
const PRESENTATION_ALGORITHMS = [...SUPPORTED_ALGORITHMS]
/** COSE algorithms accepted for an mdoc's issuer and device signatures: ES256 (RFC 9053). */
const MDOC_ALGORITHMS = [-7] as const
const REQUEST_OBJECT_LIFETIME_SECONDS = 300

/** Where the wallet fetches the request object and where it posts the response. */
export function protocolUrls(baseUrl: string, verifierId: string, requestId: string) {
  const verifier = `${baseUrl}/oid4vp/${encodeURIComponent(verifierId)}`
  return {
    requestUri: `${verifier}/authorization-requests/${encodeURIComponent(requestId)}`,
    responseUri: `${verifier}/authorize`,
  }
}

/**
 * The `openid4vp://` URI a wallet opens: the client id (the request object's, §5.10) and where to
 * fetch the signed request, with `request_uri_method=post` when the request offers it (§5.10).
 */
export function authorizationRequestUri(clientId: string, requestUri: string, requestUriMethod?: 'post'): string {
  const query = new URLSearchParams({ client_id: clientId, request_uri: requestUri })
  if (requestUriMethod) query.set('request_uri_method', requestUriMethod)
  return `openid4vp://?${query.toString()}`
}

/** How one request object is made: its signer, and what a wallet's POST to the request URI gave. */
export interface RequestObjectOptions {
  /** The key reference of the session's client identifier (`requestSignerHeader`): a DID `kid` or `x5c`. */
  signer: RequestSignerHeader
  /** `request_uri_method=post`: the wallet's `wallet_nonce`, returned as the claim of that name. */
  walletNonce?: string
  /** The `issuer` of the wallet's metadata (dynamic discovery, §5.8); the static audience otherwise. */
  audience?: string
}

/**
 * OID4VP 1.0 §5.1 client metadata. With `direct_post.jwt`, `jwks` holds the request's own
 * response-encryption key (`kid`, `use: enc`, `alg: ECDH-ES`; HAIP 1.0 §5: a fresh key per
 * request), or, for a request made before per-request keys, the verifier's key of that version;
 * `encrypted_response_enc_values_supported` lists both content encryptions HAIP names.
 */
function clientMetadata(profile: VerifierProfile, session: VerificationSession) {
  const responseKey =
    session.responseMode === 'direct_post.jwt'
      ? (session.responseKey?.publicJwk ?? profile.encryptionKey?.publicJwk)
      : undefined
  return {
    ...(responseKey
      ? {
          jwks: { keys: [{ ...responseKey, use: 'enc', alg: 'ECDH-ES' }] },
          encrypted_response_enc_values_supported: [...RESPONSE_ENCRYPTIONS],
        }
      : {}),
    vp_formats_supported: {
      'dc+sd-jwt': { 'sd-jwt_alg_values': PRESENTATION_ALGORITHMS, 'kb-jwt_alg_values': PRESENTATION_ALGORITHMS },
      // OID4VP 1.0 B.2.2: COSE algorithm identifiers; ES256 (-7) for the issuer's and the device's signature.
      mso_mdoc: { issuerauth_alg_values: [...MDOC_ALGORITHMS], deviceauth_alg_values: [...MDOC_ALGORITHMS] },
    },
  }
}

/**
 * The request object (`oauth-authz-req+jwt`), signed by the verifier's key in the tenant's KMS,
 * identified by `options.signer` (a DID `kid`, or `x5c` for an X.509 client identifier).
 */
export function signRequestObject(
  tenantContext: AgentContext,
  profile: VerifierProfile,
  requestId: string,
  session: VerificationSession,
  baseUrl: string,
  options: RequestObjectOptions,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const expiresAt = Math.floor(session.expiresAt / 1000)
  return signJwt(tenantContext, {
    keyId: profile.keyId,
    alg: 'ES256',
    header: { typ: 'oauth-authz-req+jwt', ...options.signer },
    payload: {
      aud: options.audience ?? SELF_ISSUED_AUDIENCE,
      iat: now,
      exp: Math.min(expiresAt, now + REQUEST_OBJECT_LIFETIME_SECONDS),
      client_id: session.clientId,
      response_type: 'vp_token',
      response_mode: session.responseMode,
      response_uri: protocolUrls(baseUrl, profile.verifierId, requestId).responseUri,
      nonce: session.nonce,
      state: requestId,
      dcql_query: session.dcqlQuery,
      client_metadata: clientMetadata(profile, session),
      ...(options.walletNonce === undefined ? {} : { wallet_nonce: options.walletNonce }),
    },
  })
}
