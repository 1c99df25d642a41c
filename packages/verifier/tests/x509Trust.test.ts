import { KeyObject } from 'node:crypto'
import { startService, VCT } from '@attesto/agent-runtime/testing'
import { DevelopmentCa, type IssueCertificateOptions, parseCertificateChain, toX5cEntry } from '@attesto/protocol-kit'
import { Pkcs10CertificateRequestGenerator } from '@peculiar/x509'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'
import { DEGREE_QUERY } from './support/diplomaHolder.js'
import { type CertifiedIssuer, HandBuiltWallet, type RequestObject } from './support/HandBuiltWallet.js'

// Credentials signed under X.509 chains (x5c, SD-JWT VC draft -13 §3.5, HAIP 1.0 §6.1.1), made by
// hand with WebCrypto and @peculiar/x509 and a development CA, presented to the verifier: trusted
// when the chain leads to one of the tenant's trust anchors, with the chain and the anchor named
// in the result. Real PostgreSQL.

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
const SUBJECT = 'CN=Example University, O=Example University, C=NL'

/** A key and its certificate from `ca`: the x5c carries leaf and issuing CA, not the root. */
async function certifiedIssuer(ca: DevelopmentCa, options: IssueCertificateOptions = {}): Promise<CertifiedIssuer> {
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])
  const csr = await Pkcs10CertificateRequestGenerator.create({ name: SUBJECT, keys, signingAlgorithm: ALGORITHM })
  const chain = parseCertificateChain(await ca.issue(csr.toString('pem'), options))
  return { privateKey: KeyObject.from(keys.privateKey), x5c: chain.slice(0, 2).map(toX5cEntry) }
}

describe('credentials signed under X.509 chains', () => {
  let verifier: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  let ca: DevelopmentCa
  let issuer: CertifiedIssuer
  const wallet = new HandBuiltWallet()
  let key = ''
  let verifierId = ''
  const call = (...args: Parameters<typeof verifier.call>) => verifier.call(...args)
  const result = async (requestId: string) => (await call('GET', `/presentation-requests/${requestId}`, key)).body

  /** A new request for the degree, and the answer of `wallet` with a credential of `signer`. */
  async function present(signer: CertifiedIssuer) {
    const created = await call('POST', '/presentation-requests', key, { verifierId, dcql: { query: DEGREE_QUERY } })
    expect(created.status).toBe(201)
    const request: RequestObject = await wallet.fetchRequest(created.body.uri)
    const credential = wallet.issue(VCT, { given_name: 'Ada', degree: 'MSc' }, {}, signer)
    const presentation = wallet.present(request, credential, [credential.disclosures.degree as string])
    const answered = await wallet.respond(request, {
      vp_token: { diploma: [presentation] },
      state: request.payload.state,
    })
    return { requestId: created.body.requestId as string, answered }
  }

  beforeAll(async () => {
    ca = await DevelopmentCa.create({ name: 'Example National' })
    issuer = await certifiedIssuer(ca)
    verifier = await startService('verifier', createVerifierApp)
    key = (await call('POST', '/tenants', verifier.adminApiKey, { label: 'Bank' })).body.apiKey
    verifierId = (await call('POST', '/verifiers', key, {})).body.verifierId
  })
  afterAll(() => verifier?.close())

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
