import { cborDecode, DataItem } from '@animo-id/mdoc'
import { describe, expect, it } from '@jest/globals'
import { mdocSessionTranscript } from '../mdocSessionTranscript.js'

// The session transcript an mdoc's device signature covers, against the worked example of
// OpenID4VP 1.0 Appendix B.2.6.1 (its inputs and its published bytes).

const EXAMPLE = {
  clientId: 'x509_san_dns:example.com',
  nonce: 'exc7gBkxjx1rdc9udRrveKvSsJIq80avlXeLHhGwqtA',
  responseUri: 'https://example.com/response',
  encryptionJwk: {
    kty: 'EC',
    crv: 'P-256',
    x: 'DxiH5Q4Yx3UrukE2lWCErq8N8bqC9CHLLrAwLz5BmE0',
    y: 'XtLM4-3h5o3HUH0MHVJV0kyq0iBlrBwlh8qEDMZ4-Pc',
    use: 'enc',
    alg: 'ECDH-ES',
    kid: '1',
  },
}
const SESSION_TRANSCRIPT_HEX =
  '83f6f682714f70656e494434565048616e646f7665725820048bc053c00442af9b8eed494cefdd9d95240d254b046b11b68013722aad38ac'

/** The SessionTranscript inside the tag-24 data item, as CBOR bytes. */
function innerBytes(transcriptBytes: Uint8Array): string {
  const item = cborDecode(transcriptBytes) as DataItem
  expect(item).toBeInstanceOf(DataItem)
  return Buffer.from(item.buffer).toString('hex')
}

describe('mdoc session transcript (OpenID4VP 1.0 B.2.6.1)', () => {
  it('is the specification’s example byte for byte, the thumbprint of the encryption key bound', () => {
    expect(innerBytes(mdocSessionTranscript(EXAMPLE))).toBe(SESSION_TRANSCRIPT_HEX)
  })

  it('changes with every input, and binds null without an encryption key', () => {
    const base = innerBytes(mdocSessionTranscript(EXAMPLE))
    const variants = [
      { ...EXAMPLE, clientId: 'x509_hash:abc' },
      { ...EXAMPLE, nonce: 'another' },
      { ...EXAMPLE, responseUri: 'https://example.com/other' },
      { ...EXAMPLE, encryptionJwk: { ...EXAMPLE.encryptionJwk, x: 'AAAA' } },
      { ...EXAMPLE, encryptionJwk: undefined },
    ]
    const all = variants.map((variant) => innerBytes(mdocSessionTranscript(variant)))
    expect(new Set([base, ...all]).size).toBe(6)
  })
})
