import { generateKeyPairSync } from 'node:crypto'
import { CompactEncrypt, importJWK } from 'jose'
import { parseCompactJwe } from '../compactJwe.js'

// The response JWE is read before any key is touched: only direct ECDH-ES on P-256 with A128GCM
// or A256GCM, nothing critical, nothing oversized.

const recipient = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' })

async function jwe(header: Record<string, unknown> = {}, key = recipient): Promise<string> {
  return new CompactEncrypt(Buffer.from('{"state":"r"}'))
    .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A128GCM', kid: 'r', ...header })
    .encrypt(await importJWK(key, 'ECDH-ES'))
}

/** `compact` with its protected header replaced by `change(header)`. */
function withHeader(compact: string, change: (header: Record<string, unknown>) => Record<string, unknown>) {
  const [header, ...rest] = compact.split('.')
  const decoded = JSON.parse(Buffer.from(header as string, 'base64url').toString())
  return [Buffer.from(JSON.stringify(change(decoded))).toString('base64url'), ...rest].join('.')
}

describe('parseCompactJwe', () => {
  it('reads the kid, enc and the sender key of an ECDH-ES JWE made by jose', async () => {
    const parsed = parseCompactJwe(await jwe({ enc: 'A256GCM' }))
    expect(parsed).toMatchObject({ kid: 'r', enc: 'A256GCM', epk: { kty: 'EC', crv: 'P-256' } })
    expect(parsed.iv).toHaveLength(12)
    expect(parsed.tag).toHaveLength(16)
  })

  it('refuses other algorithms, encryptions, curves, critical parameters, private epks and size', async () => {
    const honest = await jwe()
    const x25519 = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' })
    const refused = [
      withHeader(honest, (h) => ({ ...h, alg: 'ECDH-ES+A128KW' })),
      withHeader(honest, (h) => ({ ...h, enc: 'A128CBC-HS256' })),
      withHeader(honest, (h) => ({ ...h, crit: ['exp'], exp: 1 })),
      withHeader(honest, (h) => ({ ...h, kid: 7 })),
      withHeader(honest, (h) => ({ ...h, epk: { ...(h.epk as object), d: 'AAAA' } })),
      withHeader(honest, (h) => ({ ...h, epk: { ...(h.epk as object), x: 'short' } })),
      await jwe({}, x25519),
      honest.replace(/\.[^.]*\./, '.AAAA.'),
      `${honest}.extra`,
      'x'.repeat(600_000),
      'not-a-jwe',
    ]
    for (const [index, response] of refused.entries()) {
      expect({
        index,
        parsed: (() => {
          try {
            parseCompactJwe(response)
            return true
          } catch {
            return false
          }
        })(),
      }).toEqual({ index, parsed: false })
    }
  })
})
