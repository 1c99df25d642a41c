import { DevelopmentCa, parseCertificateChain } from '@attesto/protocol-kit'
import { VCT } from '@attesto/testing'
import { type CertifiedIssuer, certifiedIssuer } from '@attesto/testing/wallets'
import { AuthorityKeyIdentifierExtension, SubjectKeyIdentifierExtension, type X509Certificate } from '@peculiar/x509'
import { HandBuiltScene } from './support/handBuiltScene.js'

// DCQL trusted_authorities of type aki (OID4VP 1.0 §6.1.1, HAIP 1.0 §5): stored in templates,
// passed to the wallet in the signed request, and honoured when verifying. Credentials are made
// by hand (WebCrypto, @peculiar/x509, a development CA) and presented by the hand-built wallet;
// the key identifiers the queries name are read here with @peculiar/x509. Real PostgreSQL.

const hexToBase64Url = (hex: string) => Buffer.from(hex, 'hex').toString('base64url')
/** A CA's own key identifier: the Authority Key Identifier of the certificates it signs. */
const subjectKeyId = (ca: X509Certificate) =>
  hexToBase64Url((ca.getExtension(SubjectKeyIdentifierExtension) as SubjectKeyIdentifierExtension).keyId)

describe('DCQL trusted_authorities (aki)', () => {
  let scene: HandBuiltScene
  let national: DevelopmentCa
  let elsewhere: DevelopmentCa
  let nationalIssuer: CertifiedIssuer
  let otherIssuer: CertifiedIssuer
  let verifierId = ''
  const call = (method: string, path: string, body?: unknown) => scene.call(method, path, body)
  const result = (requestId: string) => scene.result(requestId)
  /** A request from template `templateId`, answered with a credential of `signer` (default: the did:jwk issuer). */
  const present = (templateId: string, signer?: CertifiedIssuer) => scene.present({ templateId }, signer)

  const query = (values: string[]) => ({
    credentials: [
      {
        id: 'diploma',
        format: 'dc+sd-jwt',
        meta: { vct_values: [VCT] },
        claims: [{ path: ['degree'] }],
        trusted_authorities: [{ type: 'aki', values }],
      },
    ],
  })

  beforeAll(async () => {
    national = await DevelopmentCa.create({ name: 'Example National' })
    elsewhere = await DevelopmentCa.create({ name: 'Elsewhere' })
    nationalIssuer = await certifiedIssuer(national)
    otherIssuer = await certifiedIssuer(elsewhere)
    scene = await HandBuiltScene.start()
    verifierId = scene.verifierId
    // Both CAs and the did:jwk issuer are trusted: only trusted_authorities tells them apart.
    for (const [anchorId, ca] of [
      ['national', national],
      ['elsewhere', elsewhere],
    ] as const) {
      expect((await call('PUT', `/trust-anchors/${anchorId}`, { certificate: ca.rootBase64() })).status).toBe(200)
    }
    const issuing = subjectKeyId(national.intermediate)
    const root = subjectKeyId(national.root)
    expect((await call('PUT', '/presentation-templates/issuing', { dcql: { query: query([issuing]) } })).status).toBe(
      200,
    )
    expect((await call('PUT', '/presentation-templates/root', { dcql: { query: query(['AAAA', root]) } })).status).toBe(
      200,
    )
  })
  afterAll(() => scene?.close())

  it('stores trusted_authorities of type aki in templates and refuses other types and malformed values', async () => {
    const stored = await call('GET', '/presentation-templates/issuing')
    expect(stored.body.dcql.query.credentials[0].trusted_authorities).toEqual([
      { type: 'aki', values: [subjectKeyId(national.intermediate)] },
    ])
    for (const authorities of [
      [{ type: 'etsi_tl', values: ['https://lotl.example/tl.xml'] }],
      [{ type: 'openid_federation', values: ['https://federation.example'] }],
      [{ type: 'aki', values: [] }],
      [{ type: 'aki', values: ['not base64url!'] }],
      [{ type: 'aki', values: ['s9tIpPmhxdiuNkHMEWNpYim8S8Y'], extra: 1 }],
      [],
    ]) {
      const [credential] = query([]).credentials
      const body = { dcql: { query: { credentials: [{ ...credential, trusted_authorities: authorities }] } } }
      const refused = await call('PUT', '/presentation-templates/bad', body)
      expect({ authorities, status: refused.status, code: refused.body.error.code }).toEqual({
        authorities,
        status: 400,
        code: 'invalid_request',
      })
      const direct = await call('POST', '/presentation-requests', { verifierId, dcql: body.dcql })
      expect(direct.status).toBe(400)
    }
    const types = await call('PUT', '/presentation-templates/bad', {
      dcql: {
        query: {
          credentials: [
            { ...query([]).credentials[0], trusted_authorities: [{ type: 'etsi_tl', values: ['https://x'] }] },
          ],
        },
      },
    })
    expect(types.body.error.message).toMatch(/only trusted authorities of type 'aki'/)
    expect((await call('GET', '/presentation-templates/bad')).status).toBe(404)
  })

  it('passes trusted_authorities to the wallet in the signed request object', async () => {
    const created = await call('POST', '/presentation-requests', { verifierId, templateId: 'issuing' })
    const request = await scene.wallet.fetchRequest(created.body.uri)
    const dcql = request.payload.dcql_query as { credentials: { trusted_authorities?: unknown }[] }
    expect(dcql.credentials[0]?.trusted_authorities).toEqual([
      { type: 'aki', values: [subjectKeyId(national.intermediate)] },
    ])
  })

  it('verifies a credential whose chain has a certificate with a listed Authority Key Identifier', async () => {
    // The leaf's AKI is the issuing CA's key identifier.
    const leaf = parseCertificateChain(nationalIssuer.x5c)[0] as X509Certificate
    const leafAki = (leaf.getExtension(AuthorityKeyIdentifierExtension) as AuthorityKeyIdentifierExtension).keyId
    expect(hexToBase64Url(leafAki as string)).toBe(subjectKeyId(national.intermediate))
    const byIssuing = await present('issuing', nationalIssuer)
    expect(byIssuing.answered.status).toBe(200)
    expect(await result(byIssuing.requestId)).toMatchObject({
      status: 'verified',
      credentials: [{ claims: { degree: 'MSc' } }],
    })
    // The root is not in x5c, but the issuing CA's certificate names it as its authority.
    const byRoot = await present('root', nationalIssuer)
    expect(await result(byRoot.requestId)).toMatchObject({ status: 'verified' })
  })

  it('rejects a credential under another authority as untrusted_authority, although its CA is a trust anchor', async () => {
    const { requestId, answered } = await present('issuing', otherIssuer)
    expect(answered.status).toBe(200)
    const rejected = await result(requestId)
    expect(rejected).toMatchObject({
      status: 'rejected',
      reason: { code: 'untrusted_authority', detail: expect.stringMatching(/Authority Key Identifier/) },
    })
    expect(rejected.credentials).toBeUndefined()
  })

  it('rejects a credential without an X.509 chain (a DID issuer) as untrusted_authority', async () => {
    const { requestId } = await present('root')
    expect(await result(requestId)).toMatchObject({
      status: 'rejected',
      reason: { code: 'untrusted_authority', detail: expect.stringMatching(/no X\.509 chain/) },
    })
  })

  it('leaves queries without trusted_authorities as they were', async () => {
    const [credential] = query([]).credentials
    const { trusted_authorities: _unused, ...plain } = credential as Record<string, unknown>
    await call('PUT', '/presentation-templates/plain', { dcql: { query: { credentials: [plain] } } })
    const { requestId } = await present('plain', otherIssuer)
    expect(await result(requestId)).toMatchObject({ status: 'verified' })
  })
})
