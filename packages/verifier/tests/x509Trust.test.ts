import { DevelopmentCa } from '@attesto/protocol-kit'
import { type CertifiedIssuer, certifiedIssuer, CERTIFIED_ISSUER_SUBJECT as SUBJECT } from '@attesto/testing/wallets'
import { HandBuiltScene } from './support/handBuiltScene.js'

// Credentials signed under X.509 chains (x5c, SD-JWT VC draft -13 §3.5, HAIP 1.0 §6.1.1), made by
// hand with WebCrypto and @peculiar/x509 and a development CA, presented to the verifier: trusted
// when the chain leads to one of the tenant's trust anchors, with the chain and the anchor named
// in the result. Real PostgreSQL.

describe('credentials signed under X.509 chains', () => {
  let scene: HandBuiltScene
  let ca: DevelopmentCa
  let issuer: CertifiedIssuer
  let key = ''
  const call = (...args: Parameters<HandBuiltScene['verifier']['call']>) => scene.verifier.call(...args)
  const result = (requestId: string) => scene.result(requestId)
  /** A new request for the degree, answered by the hand-built wallet with a credential of `signer`. */
  const present = (signer: CertifiedIssuer) => scene.present(undefined, signer)

  beforeAll(async () => {
    ca = await DevelopmentCa.create({ name: 'Example National' })
    issuer = await certifiedIssuer(ca)
    scene = await HandBuiltScene.start()
    key = scene.key
  })
  afterAll(() => scene?.close())

  it('keeps trust anchors: CA certificates only, listed without the certificate, removable', async () => {
    const leaf = issuer.x5c[0] as string
    expect(await call('PUT', '/trust-anchors/leaf', key, { certificate: leaf })).toMatchObject({
      status: 400,
      body: { error: { code: 'certificate_key_usage' } },
    })
    expect(await call('PUT', '/trust-anchors/garbage', key, { certificate: 'not a certificate' })).toMatchObject({
      status: 400,
      body: { error: { code: 'certificate_unreadable' } },
    })
    expect((await call('PUT', '/trust-anchors/bad%20id', key, { certificate: ca.rootBase64() })).status).toBe(400)
    const put = await call('PUT', '/trust-anchors/national-root', key, {
      certificate: ca.root.toString('pem'),
      label: 'National root',
    })
    expect(put).toMatchObject({
      status: 200,
      body: { anchorId: 'national-root', label: 'National root', subject: ca.root.subject },
    })
    expect(put.body.certificate).toBeUndefined()
    const listed = await call('GET', '/trust-anchors', key)
    expect(listed.body.trustAnchors).toEqual([put.body])
    expect((await call('GET', '/trust-anchors/national-root', key)).body).toEqual(put.body)
    expect((await call('GET', '/trust-anchors/missing', key)).status).toBe(404)
  })

  it('verifies a credential whose chain leads to a trust anchor, naming the certificate and the anchor', async () => {
    const { requestId, answered } = await present(issuer)
    expect(answered.status).toBe(200)
    const verified = await result(requestId)
    expect(verified).toMatchObject({
      status: 'verified',
      credentials: [
        {
          issuer: SUBJECT,
          issuerCertificate: { subject: SUBJECT, anchor: { anchorId: 'national-root', subject: ca.root.subject } },
          claims: { degree: 'MSc' },
        },
      ],
    })
    expect(verified.credentials[0].issuerCertificate.sha256).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('rejects a chain to a CA the tenant does not trust as untrusted_issuer', async () => {
    const other = await certifiedIssuer(await DevelopmentCa.create({ name: 'Elsewhere' }))
    const { requestId, answered } = await present(other)
    expect(answered.status).toBe(200)
    expect(await result(requestId)).toMatchObject({ status: 'rejected', reason: { code: 'untrusted_issuer' } })
  })

  it('refuses an expired certificate and a certificate of another key, and the request stays open', async () => {
    const lapsed = await certifiedIssuer(ca, { notBefore: new Date(Date.now() - 10 * 86_400_000), validityDays: 5 })
    const expired = await present(lapsed)
    expect(expired.answered.status).toBe(400)
    expect(expired.answered.body.error_description).toMatch(/^invalid_certificate: .*expired/)
    expect((await result(expired.requestId)).status).toBe('pending')

    const impostor = await certifiedIssuer(ca)
    const forged = await present({ privateKey: impostor.privateKey, x5c: issuer.x5c })
    expect(forged.answered.status).toBe(400)
    expect(forged.answered.body.error_description).toMatch(/^invalid_signature/)
  })

  it('stops trusting the chain once its anchor is removed', async () => {
    expect((await call('DELETE', '/trust-anchors/national-root', key)).status).toBe(204)
    const { requestId } = await present(issuer)
    expect(await result(requestId)).toMatchObject({ status: 'rejected', reason: { code: 'untrusted_issuer' } })
  })
})
