import { ProtocolError } from '@attesto/agent-runtime'
import { z } from 'zod'
import { queryFormats } from '../verification/dcqlInput.js'
import type { VerificationSession } from '../verification/VerificationSession.js'
import { RESPONSE_ENCRYPTIONS, type RequestObjectOptions } from './requestObject.js'

/** The body of a wallet's POST to the request URI (OID4VP 1.0 §5.10); other parameters are ignored. */
export const requestUriPostBody = z.looseObject({
  wallet_metadata: z.string().max(16_384).optional(),
  wallet_nonce: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[\x21-\x7e]+$/, 'visible ASCII characters')
    .optional(),
})

const algorithms = z.array(z.string().max(100)).min(1).max(50)

/** The wallet metadata parameters (§10) this verifier reads; the others are ignored. */
const walletMetadata = z.looseObject({
  issuer: z.url().max(2048).optional(),
  vp_formats_supported: z.record(z.string(), z.unknown()).optional(),
  client_id_prefixes_supported: algorithms.optional(),
  request_object_signing_alg_values_supported: algorithms.optional(),
  authorization_encryption_alg_values_supported: algorithms.optional(),
  authorization_encryption_enc_values_supported: algorithms.optional(),
})
type WalletMetadata = z.infer<typeof walletMetadata>

const refuse = (description: string, error = 'invalid_request') => new ProtocolError(400, error, description)

function parseWalletMetadata(text: string): WalletMetadata {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw refuse('wallet_metadata: not JSON')
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw refuse('wallet_metadata: not a JSON object')
  const parsed = walletMetadata.safeParse(value)
  if (!parsed.success) {
    const [issue] = parsed.error.issues
    throw refuse(`wallet_metadata.${issue?.path.join('.')}: ${issue?.message}`)
  }
  return parsed.data
}

/** Refuses a request this wallet said it cannot take: each check only where the wallet said something. */
function checkWalletCanAnswer(metadata: WalletMetadata, session: VerificationSession) {
  const prefix = session.clientId.slice(0, session.clientId.indexOf(':'))
  if (metadata.client_id_prefixes_supported && !metadata.client_id_prefixes_supported.includes(prefix)) {
    throw refuse(`The wallet does not support client identifier prefix '${prefix}', which this request uses`)
  }
  const signing = metadata.request_object_signing_alg_values_supported
  if (signing && !signing.includes('ES256')) throw refuse('The wallet does not accept ES256 request objects')
  const formats = [...queryFormats(session.dcqlQuery)]
  const supported = metadata.vp_formats_supported
  if (supported && !formats.some((format) => Object.hasOwn(supported, format))) {
    throw refuse(
      `The wallet supports none of the formats this request asks for (${formats.join(', ')})`,
      'vp_formats_not_supported',
    )
  }
  if (session.responseMode !== 'direct_post.jwt') return
  const alg = metadata.authorization_encryption_alg_values_supported
  const enc = metadata.authorization_encryption_enc_values_supported
  if (alg && !alg.includes('ECDH-ES')) throw refuse('The wallet cannot encrypt the response with ECDH-ES')
  if (enc && !enc.some((value) => (RESPONSE_ENCRYPTIONS as readonly string[]).includes(value))) {
    throw refuse(`The wallet cannot encrypt the response with ${RESPONSE_ENCRYPTIONS.join(' or ')}`)
  }
}

/**
 * What a wallet's POST to the request URI (`request_uri_method=post`, OID4VP 1.0 §5.10) changes
 * in the request object: `wallet_nonce` returned as it was sent, and, when its metadata names its
 * `issuer` (dynamic discovery, §5.8), that as the audience. A request that did not offer `post`,
 * a malformed body, or metadata that rules this request out is refused (`400`, OAuth-shaped): the
 * wallet ends the flow on any error answer.
 */
export function requestUriPost(
  body: unknown,
  session: VerificationSession,
): Pick<RequestObjectOptions, 'walletNonce' | 'audience'> {
  if (session.requestUriMethod !== 'post') {
    throw refuse('This request is fetched with GET: it did not offer request_uri_method=post')
  }
  const { wallet_metadata, wallet_nonce } = requestUriPostBody.parse(body ?? {})
  const metadata = wallet_metadata === undefined ? undefined : parseWalletMetadata(wallet_metadata)
  if (metadata) checkWalletCanAnswer(metadata, session)
  return {
    ...(wallet_nonce === undefined ? {} : { walletNonce: wallet_nonce }),
    ...(metadata?.issuer ? { audience: metadata.issuer } : {}),
  }
}
