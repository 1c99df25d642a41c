import { generateKeyPairSync } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, SignJWT } from 'jose'
import { ClientAttestationError, verifyClientAttestation } from '../clientAttestation.js'

// Wallet attestations and PoPs made by jose, in the draft -07 form and in the forms of the drafts
// around it that are accepted too (-08+: no `iss`; -04/-05: `nonce` for `challenge`, `exp` on the PoP).

const now = Math.floor(Date.now() / 1000)
const audience = 'https://issuer.example/oid4vci/x'
const provider = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const instance = generateKeyPairSync('ec', { namedCurve: 'P-256' })

async function pair(attestationClaims: Record<string, unknown> = {}, popClaims: Record<string, unknown> = {}) {
  const jwk = await exportJWK(instance.publicKey)
  const attestation = await new SignJWT({
    iss: 'https://wallet.example',
    sub: 'client',
    exp: now + 600,
    cnf: { jwk },
    ...attestationClaims,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'oauth-client-attestation+jwt' })
    .sign(provider.privateKey)
  const pop = await new SignJWT({ iss: 'client', aud: audience, jti: 'p1', iat: now, ...popClaims })
    .setProtectedHeader({ alg: 'ES256', typ: 'oauth-client-attestation-pop+jwt' })
    .sign(instance.privateKey)
  return { attestation, pop, jwk }
}

const options = {
  audience,
  maxAgeSeconds: 60,
  attesterKey: async () => ({ key: provider.publicKey, attester: 'wallet' }),
  isLiveChallenge: (challenge: string) => challenge === 'live',
}

async function outcome(made: Promise<{ attestation: string; pop: string }>) {
  const { attestation, pop } = await made
  return verifyClientAttestation(attestation, pop, options).then(
    (verified) => `accepted ${verified.clientId}`,
    (error) => {
      if (!(error instanceof ClientAttestationError)) throw error
      return `${error.reason}: ${error.message}`
    },
  )
}

describe('verifyClientAttestation', () => {
  it('accepts the -07 form and answers the client and its instance key thumbprint', async () => {
    const { attestation, pop, jwk } = await pair({}, { challenge: 'live' })
    const verified = await verifyClientAttestation(attestation, pop, options)
    expect(verified).toMatchObject({ clientId: 'client', attester: 'wallet', jti: 'p1' })
    expect(verified.instanceJkt).toBe(await calculateJwkThumbprint(jwk))
  })

  it('accepts the later form without iss and the earlier one with nonce and exp', async () => {
    expect(await outcome(pair({ iss: undefined }, { iss: undefined }))).toBe('accepted client')
    expect(await outcome(pair({}, { nonce: 'live', exp: now + 60 }))).toBe('accepted client')
  })

  it('refuses each broken claim with its reason', async () => {
    const cases: [Promise<{ attestation: string; pop: string }>, string][] = [
      [pair({ exp: now - 120 }), 'invalid: The client attestation has expired'],
      [pair({ sub: undefined }), "'sub'"],
      [pair({ cnf: {} }), "'cnf.jwk'"],
      [pair({}, { iss: 'other' }), "'iss'"],
      [pair({}, { aud: 'https://elsewhere.example' }), "'aud'"],
      [pair({}, { jti: undefined }), "'jti'"],
      [pair({}, { iat: now - 120 }), "'iat'"],
      [pair({}, { exp: now - 120 }), 'PoP has expired'],
      [pair({}, { challenge: 'stale' }), 'challenge: '],
      [pair({}, { nonce: 'stale' }), 'challenge: '],
    ]
    for (const [made, expected] of cases) expect(await outcome(made)).toContain(expected)
    const { attestation } = await pair()
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const foreignPop = await new SignJWT({ iss: 'client', aud: audience, jti: 'p2', iat: now })
      .setProtectedHeader({ alg: 'ES256', typ: 'oauth-client-attestation-pop+jwt' })
      .sign(stranger.privateKey)
    await expect(verifyClientAttestation(attestation, foreignPop, options)).rejects.toThrow("'cnf.jwk'")
    const untrusted = { ...options, attesterKey: async () => ({ key: stranger.publicKey, attester: 'x' }) }
    await expect(verifyClientAttestation(attestation, (await pair()).pop, untrusted)).rejects.toThrow('does not verify')
  })
})
