import { describe, expect, it } from '@jest/globals'
import { Pkcs10CertificateRequestGenerator, SubjectAlternativeNameExtension, X509Certificate } from '@peculiar/x509'
import { CertificateChainError } from '../CertificateChainError.js'
import { checkSigningChain } from '../checkSigningChain.js'
import { DevelopmentCa } from '../DevelopmentCa.js'
import { parseCertificateChain } from '../parseCertificateChain.js'

// Chains made by the development CA from requests made here with WebCrypto keys, checked as an
// issuer's upload would be.

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
const DAY = 24 * 60 * 60 * 1000

async function signingKey() {
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: 'CN=Example University, O=Example University, C=NL',
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [new SubjectAlternativeNameExtension([{ type: 'dns', value: 'issuer.example' }])],
  })
  const publicJwk = await crypto.subtle.exportKey('jwk', keys.publicKey)
  return { keys, csr: csr.toString('pem'), publicJwk }
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: unknown) => (error instanceof CertificateChainError ? error.code : String(error)),
  )

describe('checkSigningChain', () => {
  it('accepts a CA-issued chain for the key, and keeps leaf and intermediate in x5c (no root)', async () => {
    const ca = await DevelopmentCa.create()
    const { csr, publicJwk } = await signingKey()
    const chain = parseCertificateChain(await ca.issue(csr))
    expect(chain).toHaveLength(3)
    const checked = await checkSigningChain(chain, { publicJwk })
    expect(checked.x5c).toHaveLength(2)
    expect(new X509Certificate(Buffer.from(checked.x5c[0] as string, 'base64')).subject).toBe(
      'CN=Example University, O=Example University, C=NL',
    )
    expect(checked.leaf.dnsNames).toEqual(['issuer.example'])
    expect(checked.root?.subject).toBe('CN=Attesto Development Root CA')
    expect(checked.anchor).toBeUndefined()
    expect(Date.parse(checked.expiresAt) - Date.now()).toBeGreaterThan(360 * DAY)
    // The same chain without its root, as base64 entries (an x5c), is just as good.
    expect((await checkSigningChain(parseCertificateChain(checked.x5c), { publicJwk })).x5c).toEqual(checked.x5c)
  })

  it('finds the trust anchor the chain leads to, and refuses one that leads elsewhere', async () => {
    const ca = await DevelopmentCa.create()
    const other = await DevelopmentCa.create({ name: 'Other' })
    const { csr } = await signingKey()
    const chain = parseCertificateChain(await ca.issue(csr)).slice(0, 2)
    const checked = await checkSigningChain(chain, { trustAnchors: [ca.root] })
    expect(checked.anchor?.subject).toBe(ca.root.subject)
    expect((await checkSigningChain(chain, { trustAnchors: [ca.intermediate] })).anchor?.subject).toBe(
      ca.intermediate.subject,
    )
    expect(await refusal(checkSigningChain(chain, { trustAnchors: [other.root] }))).toBe('certificate_untrusted')
  })

  it('refuses another key, a self-signed leaf, a chain out of order, and a leaf that may not sign', async () => {
    const ca = await DevelopmentCa.create()
    const { csr } = await signingKey()
    const someoneElse = await signingKey()
    const chain = parseCertificateChain(await ca.issue(csr))
    expect(await refusal(checkSigningChain(chain, { publicJwk: someoneElse.publicJwk }))).toBe(
      'certificate_key_mismatch',
    )
    expect(await refusal(checkSigningChain([ca.root]))).toBe('certificate_self_signed')
    expect(await refusal(checkSigningChain([chain[0], chain[2], chain[1]] as X509Certificate[]))).toBe(
      'certificate_chain_broken',
    )
    // The issuing CA's own certificate allows keyCertSign only.
    expect(await refusal(checkSigningChain([ca.intermediate, ca.root]))).toBe('certificate_key_usage')
  })

  it('refuses a leaf out of validity', async () => {
    const ca = await DevelopmentCa.create({ notBefore: new Date(Date.now() - 30 * DAY) })
    const { csr, publicJwk } = await signingKey()
    const expired = parseCertificateChain(
      await ca.issue(csr, { notBefore: new Date(Date.now() - 10 * DAY), validityDays: 5 }),
    )
    expect(await refusal(checkSigningChain(expired, { publicJwk }))).toBe('certificate_expired')
    const early = parseCertificateChain(await ca.issue(csr, { notBefore: new Date(Date.now() + 2 * DAY) }))
    expect(await refusal(checkSigningChain(early, { publicJwk }))).toBe('certificate_not_yet_valid')
    expect((await checkSigningChain(early, { publicJwk, at: new Date(Date.now() + 3 * DAY) })).x5c).toHaveLength(2)
  })

  it('refuses what is not a certificate, and a request not signed by its key', async () => {
    const ca = await DevelopmentCa.create()
    expect(await refusal(Promise.resolve().then(() => parseCertificateChain('not a certificate')))).toBe(
      'certificate_unreadable',
    )
    expect(await refusal(Promise.resolve().then(() => parseCertificateChain(['AAAA'])))).toBe('certificate_unreadable')
    expect(await refusal(Promise.resolve().then(() => parseCertificateChain([])))).toBe('certificate_unreadable')
    const { csr } = await signingKey()
    const body = csr.split('\n').slice(1, -1).join('')
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${body.slice(0, 60)}${body[60] === 'A' ? 'B' : 'A'}${body.slice(61)}\n-----END CERTIFICATE REQUEST-----`
    expect(await refusal(ca.issue(tampered))).toBe('certificate_unreadable')
  })
})
