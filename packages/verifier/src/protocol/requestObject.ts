import { SUPPORTED_ALGORITHMS, signJwt } from '@attesto/agent-runtime'
import type { AgentContext } from '@credo-ts/core'
import type { VerificationSession } from '../verification/VerificationSession.js'
import type { VerifierProfile } from '../verification/verifierDocuments.js'

/** OID4VP 1.0 §5.8: the audience of a request object under static discovery metadata. */
export const SELF_ISSUED_AUDIENCE = 'https://self-issued.me/v2'
/** Content encryptions the verifier decrypts; the wallet picks one. */
export const RESPONSE_ENCRYPTIONS = ['A128GCM', 'A256GCM'] as const
/** Signature algorithms accepted for the credential and the key-binding proof: asymmetric only. */
const PRESENTATION_ALGORITHMS = [...SUPPORTED_ALGORITHMS]
const REQUEST_OBJECT_LIFETIME_SECONDS = 300

export function clientIdOf(profile: VerifierProfile): string {
  return `decentralized_identifier:${profile.did}`
}

/** Where the wallet fetches the request object and where it posts the response. */
export function protocolUrls(baseUrl: string, verifierId: string, requestId: string) {
  const verifier = `${baseUrl}/oid4vp/${encodeURIComponent(verifierId)}`
  return {
    requestUri: `${verifier}/authorization-requests/${encodeURIComponent(requestId)}`,
    responseUri: `${verifier}/authorize`,
  }
}

/** The `openid4vp://` URI a wallet opens: the client id and where to fetch the signed request. */
export function authorizationRequestUri(clientId: string, requestUri: string): string {
  const query = new URLSearchParams({ client_id: clientId, request_uri: requestUri })
  return `openid4vp://?${query.toString()}`
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
    },
  }
}

/** The request object (`oauth-authz-req+jwt`), signed by the verifier's key in the tenant's KMS. */
export function signRequestObject(
  tenantContext: AgentContext,
  profile: VerifierProfile,
  requestId: string,
  session: VerificationSession,
  baseUrl: string,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const expiresAt = Math.floor(Date.parse(session.expiresAt) / 1000)
  return signJwt(tenantContext, {
    keyId: profile.keyId,
    alg: 'ES256',
    header: { typ: 'oauth-authz-req+jwt', kid: profile.didUrl },
    payload: {
      aud: SELF_ISSUED_AUDIENCE,
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
    },
  })
}
