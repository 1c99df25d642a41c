import { createHash, type JsonWebKey } from 'node:crypto'
import { cborEncode, DataItem } from '@animo-id/mdoc'
import { jwkThumbprint } from '@attesto/protocol-kit/jose'

/** What the wallet's device signature must cover besides the request's client_id and nonce. */
export interface MdocHandoverInput {
  clientId: string
  nonce: string
  /** The request's `response_uri`. */
  responseUri: string
  /** With `direct_post.jwt`: the public key the response is encrypted to (its RFC 7638 thumbprint is bound). */
  encryptionJwk?: JsonWebKey
}

/**
 * The `SessionTranscriptBytes` of an mdoc presented over OpenID4VP 1.0 with redirects (Appendix
 * B.2.6.1): `SessionTranscript = [null, null, ["OpenID4VPHandover", SHA-256(CBOR([client_id,
 * nonce, jwkThumbprint or null, response_uri]))]]`, the thumbprint a byte string, and the whole as
 * an embedded CBOR data item (tag 24), as ISO/IEC 18013-5 §9.1.5.1 and the mdoc library take it.
 */
export function mdocSessionTranscript(input: MdocHandoverInput): Uint8Array {
  const thumbprint = input.encryptionJwk ? Buffer.from(jwkThumbprint(input.encryptionJwk), 'base64url') : null
  const info = cborEncode([input.clientId, input.nonce, thumbprint, input.responseUri])
  const infoHash = createHash('sha256').update(info).digest()
  return cborEncode(DataItem.fromData([null, null, ['OpenID4VPHandover', infoHash]]))
}
