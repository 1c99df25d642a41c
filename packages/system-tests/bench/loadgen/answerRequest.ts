import { CompactEncrypt, importJWK } from 'jose'
import { decodeJwt, type JsonObject, verifyJwt } from './compactJwt.js'
import { didPublicKey } from './didPublicKey.js'
import { check, type ProtocolNotes } from './ProtocolNotes.js'
import type { StepClient } from './StepClient.js'
import { presentSdJwtVc, type SdJwtVc } from './sdJwtVc.js'

const DID_CLIENT_PREFIX = 'decentralized_identifier:'
/** The content encryptions this wallet offers, in its order of preference. */
const CONTENT_ENCRYPTIONS = ['A128GCM', 'A256GCM']

/** The top-level claim names each `dc+sd-jwt` credential query of `credential`'s type asks for. */
function requestedClaims(step: string, dcqlQuery: JsonObject, credential: SdJwtVc): [string, string[]] {
  const query = (dcqlQuery.credentials ?? []).find(
    (candidate: JsonObject) =>
      candidate.format === 'dc+sd-jwt' && candidate.meta?.vct_values?.includes(credential.payload.vct),
  )
  check(query && typeof query.id === 'string', step, 'the DCQL query asks for no credential of this type')
  const names = (query.claims ?? []).map((claim: JsonObject) => {
    check(claim.path?.length === 1 && typeof claim.path[0] === 'string', step, 'only top-level claim paths expected')
    return claim.path[0] as string
  })
  return [query.id, names]
}

/** The signed request object (JAR, RFC 9101) behind `request_uri`, checked as a wallet must. */
export async function fetchRequestObject(client: StepClient, notes: ProtocolNotes, uri: string): Promise<JsonObject> {
  const step = 'GET request object'
  const url = new URL(uri)
  check(url.protocol === 'openid4vp:', step, `not an openid4vp URI: ${uri}`)
  const clientId = url.searchParams.get('client_id') ?? ''
  const requestUri = url.searchParams.get('request_uri')
  check(requestUri, step, 'the request is not passed by reference')
  check(clientId.startsWith(DID_CLIENT_PREFIX), step, `client_id ${clientId} is not a decentralized_identifier`)
  const { text } = await client.send(step, requestUri, { mediaType: 'application/oauth-authz-req+jwt' })
  const { header } = decodeJwt(step, text)
  check(typeof header.kid === 'string', step, 'the request object has no kid')
  const { payload } = verifyJwt(step, text, didPublicKey(step, header.kid))
  check(header.typ === 'oauth-authz-req+jwt', step, `typ is ${header.typ}`)
  check(String(header.kid).split('#')[0] === clientId.slice(DID_CLIENT_PREFIX.length), step, 'kid is not the client')
  check(payload.client_id === clientId, step, 'client_id differs from the URI')
  check(payload.response_type === 'vp_token', step, `response_type ${payload.response_type}`)
  check(
    ['direct_post.jwt', 'direct_post'].includes(payload.response_mode),
    step,
    `response_mode ${payload.response_mode}`,
  )
  check(typeof payload.response_uri === 'string' && typeof payload.nonce === 'string', step, 'no response_uri/nonce')
  check(payload.dcql_query, step, 'no dcql_query')
  check(typeof payload.exp !== 'number' || payload.exp * 1000 > Date.now(), step, 'the request object has expired')
  notes.expect(
    payload.aud === undefined || payload.aud === 'https://self-issued.me/v2',
    step,
    `aud is ${payload.aud === requestUri ? 'the request_uri' : 'unexpected'}, not https://self-issued.me/v2 (OID4VP 1.0 §5.8)`,
  )
  const algs: string[] = payload.client_metadata?.vp_formats_supported?.['dc+sd-jwt']?.['kb-jwt_alg_values'] ?? []
  check(algs.length === 0 || algs.includes('ES256'), step, 'ES256 key binding is not accepted')
  notes.expect(!algs.some((alg) => alg.startsWith('HS')), step, 'kb-jwt_alg_values lists MAC algorithms (HS256…)')
  return payload
}

/** The response encrypted to the verifier (`direct_post.jwt`): ECDH-ES to its `use: enc` key. */
export async function encryptResponse(step: string, request: JsonObject, response: JsonObject): Promise<string> {
  const metadata = request.client_metadata ?? {}
  const jwk = (metadata.jwks?.keys ?? []).find((key: JsonObject) => key.use === 'enc' || key.alg === 'ECDH-ES')
  check(jwk?.kty === 'EC', step, 'client_metadata.jwks has no EC encryption key')
  const alg = jwk.alg ?? 'ECDH-ES'
  check(alg === 'ECDH-ES', step, `unexpected key agreement ${alg}`)
  const offered: string[] = metadata.encrypted_response_enc_values_supported ?? ['A128GCM']
  const enc = offered.find((value) => CONTENT_ENCRYPTIONS.includes(value))
  check(enc, step, `no common content encryption in ${offered.join(', ')}`)
  return new CompactEncrypt(Buffer.from(JSON.stringify(response)))
    .setProtectedHeader({ alg, enc, ...(jwk.kid ? { kid: jwk.kid } : {}) })
    .encrypt(await importJWK(jwk, alg))
}

/**
 * A wallet's answer to an OID4VP 1.0 request URI: the signed request object, the disclosures the
 * DCQL query asks for with a key-binding JWT, `vp_token` as `{ <query id>: [presentation] }`,
 * encrypted (`direct_post.jwt`) or not (`direct_post`), as the request asks, and posted to the
 * `response_uri`.
 */
export async function answerRequest(
  client: StepClient,
  notes: ProtocolNotes,
  uri: string,
  credential: SdJwtVc,
): Promise<void> {
  const request = await fetchRequestObject(client, notes, uri)
  const step = 'POST response'
  const [queryId, names] = requestedClaims(step, request.dcql_query, credential)
  const presentation = presentSdJwtVc(step, credential, names, { nonce: request.nonce, audience: request.client_id })
  const response = {
    vp_token: { [queryId]: [presentation] },
    ...(request.state ? { state: request.state } : {}),
  }
  const form: Record<string, string> =
    request.response_mode === 'direct_post'
      ? { vp_token: JSON.stringify(response.vp_token), ...(request.state ? { state: request.state } : {}) }
      : { response: await encryptResponse(step, request, response) }
  const answer = await client.json(step, request.response_uri, { form })
  check(answer.redirect_uri === undefined || typeof answer.redirect_uri === 'string', step, 'odd redirect_uri')
}
