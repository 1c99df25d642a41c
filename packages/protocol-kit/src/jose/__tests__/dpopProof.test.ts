import { createHash, generateKeyPairSync } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, SignJWT } from 'jose'
import { DpopProofError, normalisedHtu, verifyDpopProof } from '../dpopProof.js'

// DPoP proofs made by jose (an implementation nobody here wrote), checked by verifyDpopProof.

const now = Math.floor(Date.now() / 1000)
const url = 'https://issuer.example/oid4vci/x/credential'

async function proof(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = await exportJWK(publicKey)
  const jwt = await new SignJWT({ jti: 'j1', htm: 'POST', htu: url, iat: now, ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk, ...header })
    .sign(privateKey)
  return { jwt, jwk }
}

const refusal = (run: () => unknown) => {
  try {
    run()
  } catch (error) {
    if (error instanceof DpopProofError) return `${error.reason}: ${error.message}`
    throw error
  }
  return 'accepted'
}

describe('verifyDpopProof', () => {
  it('accepts a jose proof and answers its key thumbprint (RFC 7638, as jose computes it)', async () => {
    const token = 'access-token'
    const ath = createHash('sha256').update(token).digest('base64url')
    const { jwt, jwk } = await proof({ ath, nonce: 'n1' })
    const verified = verifyDpopProof(jwt, {
      method: 'POST',
      url: 'https://ISSUER.example:443/oid4vci/x/credential?query=1#fragment',
      accessToken: token,
      maxAgeSeconds: 60,
      isLiveNonce: (nonce) => nonce === 'n1',
    })
    expect(verified.jkt).toBe(await calculateJwkThumbprint(jwk))
    expect(verified.jti).toBe('j1')
  })

  it('normalises htu: lower-case scheme and host, no default port, no query or fragment', () => {
    expect(normalisedHtu('HTTPS://Issuer.Example:443/a/b?c=d#e')).toBe('https://issuer.example/a/b')
    expect(normalisedHtu('http://issuer.test:8080/token')).toBe('http://issuer.test:8080/token')
    expect(normalisedHtu('not a url')).toBeUndefined()
  })

  it('refuses each broken claim with its reason', async () => {
    const options = { method: 'POST', url, maxAgeSeconds: 60 }
    const cases: [Promise<{ jwt: string }>, object, string][] = [
      [proof({ htm: 'GET' }), {}, "invalid: The DPoP proof's 'htm' must be 'POST'"],
      [proof({ htu: 'https://issuer.example/other' }), {}, "'htu'"],
      [proof({ iat: now - 120 }), {}, "'iat'"],
      [proof({ jti: undefined }), {}, "'jti'"],
      [proof({}, { typ: 'JWT' }), {}, "'typ'"],
      [proof({ ath: 'x' }), { accessToken: 'access-token' }, "'ath'"],
      [proof({}), { isLiveNonce: () => false }, 'nonce: A DPoP nonce is required'],
      [proof({ nonce: 'old' }), { isLiveNonce: () => false }, "nonce: The DPoP proof's 'nonce' is unknown"],
    ]
    for (const [made, extra, expected] of cases) {
      const { jwt } = await made
      expect(refusal(() => verifyDpopProof(jwt, { ...options, ...extra }))).toContain(expected)
    }
    const { jwt, jwk } = await proof({})
    const [, payload, signature] = jwt.split('.')
    const withPrivate = `${Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'dpop+jwt', jwk: { ...jwk, d: 'x' } })).toString('base64url')}.${payload}.${signature}`
    expect(refusal(() => verifyDpopProof(withPrivate, options))).toContain('public key')
    const hs = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'dpop+jwt', jwk })).toString('base64url')}.${payload}.${signature}`
    expect(refusal(() => verifyDpopProof(hs, options))).toContain("'alg'")
    const otherHeader = `${Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'dpop+jwt', jwk: (await proof({})).jwk })).toString('base64url')}.${payload}.${signature}`
    expect(refusal(() => verifyDpopProof(otherHeader, options))).toContain('signature')
    expect(refusal(() => verifyDpopProof('a.b', options))).toContain('compact JWT')
  })
})
