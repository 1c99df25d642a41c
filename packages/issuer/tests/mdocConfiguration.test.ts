import { DevelopmentCa } from '@attesto/protocol-kit'
import { startService } from '@attesto/testing'
import { ExtendedKeyUsageExtension, Pkcs10CertificateRequest, X509Certificate } from '@peculiar/x509'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { certify, DOCTYPE, MDL, MDL_CLAIMS, MDL_CONFIGURATION, mdocIssuer, REGISTRY } from './support/mdocFixture.js'

// mso_mdoc credential configurations through the issuer's REST API: refused until the issuer can
// sign mdocs (a P-256 key, a document-signer certificate from a CA that names its country), never
// revocable, published in the credential issuer metadata as OID4VCI 1.0 Appendix A.2.2 says, and
// offers whose claims do not fit them refused with the data element named. Real PostgreSQL.

const DOCUMENT_SIGNER_EKU = '1.0.18013.5.1.2'

describe('mdoc credential configurations', () => {
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>
  let ca: DevelopmentCa

  beforeAll(async () => {
    service = await startService('issuer', createIssuerApp)
    ca = await DevelopmentCa.create({ name: 'Example National', country: 'NL' })
  })
  afterAll(() => service?.close())

  it('refuses an mdoc configuration until the issuer can sign mdocs, and a revocable one', async () => {
    const key = (await service.call('POST', '/tenants', service.adminApiKey, { label: 'Roads' })).body.apiKey
    const issuerId = (await service.call('POST', '/issuers', key, {})).body.issuerId
    const put = (id: string, body: object, issuer = issuerId) =>
      service.call('PUT', `/issuers/${issuer}/credential-configurations/${id}`, key, body)

    expect((await put('mdl', MDL_CONFIGURATION)).body.error.code).toBe('certificate_required')
    const edwards = (await service.call('POST', '/issuers', key, { keyType: 'Ed25519' })).body.issuerId
    expect((await put('mdl', MDL_CONFIGURATION, edwards)).body.error.code).toBe('issuer_key_unsupported')
    const revocable = await put('mdl', { ...MDL_CONFIGURATION, revocable: true })
    expect(revocable.status).toBe(400)
    expect(revocable.body.error.message).toMatch(/^revocable: an mso_mdoc credential cannot be revoked/)

    // The signing request asks for the document-signer EKU; a CA without a country will not do.
    const csr = await service.call('POST', `/issuers/${issuerId}/certificate-signing-request`, key, {
      commonName: 'Road Authority',
      mdocDocumentSigner: true,
    })
    const requested = new ExtendedKeyUsageExtension(
      new Pkcs10CertificateRequest(csr.body.csr).getExtension('2.5.29.37')?.rawData as ArrayBuffer,
    )
    expect([requested.usages, requested.critical]).toEqual([[DOCUMENT_SIGNER_EKU], true])
    const countryless = await DevelopmentCa.create({ name: 'Countryless' })
    expect((await certify(service, key, issuerId, countryless)).status).toBe(200)
    const refused = await put('mdl', MDL_CONFIGURATION)
    expect([refused.status, refused.body.error.code]).toEqual([409, 'certificate_country_missing'])

    const chain = await ca.issue(csr.body.csr)
    expect(new X509Certificate(chain).getExtension(ExtendedKeyUsageExtension)?.usages).toEqual([DOCUMENT_SIGNER_EKU])
    expect((await service.call('PUT', `/issuers/${issuerId}/certificate`, key, { chain })).status).toBe(200)
    const saved = await put('mdl', MDL_CONFIGURATION)
    expect(saved.status).toBe(200)
    expect(saved.body).toMatchObject({ id: 'mdl', format: 'mso_mdoc', doctype: DOCTYPE, revocable: false })
    expect((await service.call('GET', `/issuers/${issuerId}`, key)).body.credentialConfigurations).toEqual([saved.body])

    // While mdocs are signed under the certificate, it cannot go, nor be replaced by an unfit one.
    const removal = await service.call('DELETE', `/issuers/${issuerId}/certificate`, key)
    expect([removal.status, removal.body.error.code]).toEqual([409, 'certificate_in_use'])
    expect((await certify(service, key, issuerId, countryless)).body.error.code).toBe('certificate_country_missing')
    expect((await service.call('GET', `/issuers/${issuerId}`, key)).body.certificate.issuer).toMatch(/C=NL/)
  })

  it('refuses configurations that are not mdoc configurations, field by field', async () => {
    const { key, issuerId } = await mdocIssuer(service, ca)
    const put = async (body: object) =>
      (await service.call('PUT', `/issuers/${issuerId}/credential-configurations/bad`, key, body)).body.error
    const namespaces = MDL_CONFIGURATION.namespaces
    expect(await put({ ...MDL_CONFIGURATION, vct: 'https://x.example/t' })).toMatchObject({ code: 'invalid_request' })
    expect((await put({ ...MDL_CONFIGURATION, doctype: 'a b' })).message).toMatch(/^doctype: /)
    expect((await put({ ...MDL_CONFIGURATION, namespaces: {} })).message).toMatch(/at least one namespace/)
    const typo = { [MDL]: [{ name: 'family_name', type: 'text' }] }
    expect((await put({ ...MDL_CONFIGURATION, namespaces: typo })).message).toMatch(/type/)
    const twice = { [MDL]: [...(namespaces[MDL] ?? []), { name: 'family_name', type: 'string' }] }
    expect((await put({ ...MDL_CONFIGURATION, namespaces: twice })).message).toMatch(/unique/)
    expect((await put({ ...MDL_CONFIGURATION, format: 'mso-mdoc' })).code).toBe('invalid_request')
    expect((await put({ ...MDL_CONFIGURATION, suspendable: true })).message).toMatch(/suspendable/)
  })

  it('publishes the configuration as OID4VCI 1.0 Appendix A.2.2 says', async () => {
    const { issuerId, key } = await mdocIssuer(service, ca)
    const { credentialIssuer } = (await service.call('GET', `/issuers/${issuerId}`, key)).body
    // biome-ignore lint/suspicious/noExplicitAny: the metadata is inspected loosely
    const metadata: any = await (await fetch(`${credentialIssuer}/.well-known/openid-credential-issuer`)).json()
    const elementCount = Object.values(MDL_CONFIGURATION.namespaces).flat().length
    expect(metadata.credential_configurations_supported.mdl).toEqual({
      format: 'mso_mdoc',
      scope: 'mdl', // the authorization code flow's scope: the configuration id by default
      doctype: DOCTYPE,
      cryptographic_binding_methods_supported: ['cose_key'],
      credential_signing_alg_values_supported: [-7],
      proof_types_supported: {
        jwt: { proof_signing_alg_values_supported: ['ES256'] },
        attestation: { proof_signing_alg_values_supported: ['ES256'] },
      },
      credential_metadata: {
        display: MDL_CONFIGURATION.display,
        claims: expect.arrayContaining([
          { path: [MDL, 'family_name'], mandatory: true, display: [{ name: 'Family name', locale: 'en' }] },
          { path: [MDL, 'portrait'], mandatory: false },
          { path: [REGISTRY, 'enrolled_at'], mandatory: false },
        ]),
      },
    })
    expect(metadata.credential_configurations_supported.mdl.credential_metadata.claims).toHaveLength(elementCount)
  })

  it('refuses offer claims that do not fit the configuration, naming each data element', async () => {
    const { key, issuerId } = await mdocIssuer(service, ca)
    const offer = (claims: unknown) =>
      service.call('POST', '/offers', key, { issuerId, credentialConfigurationId: 'mdl', claims })
    expect((await offer(MDL_CLAIMS)).status).toBe(201)

    const bad = await offer({
      [MDL]: {
        family_name: 'Mustermann',
        birth_date: '2024-02-31',
        age_over_18: 'yes',
        portrait: 'no base64!',
        nick: 'E',
      },
      [REGISTRY]: { enrolled_at: '2026-09-01', points: 1.5, licence_number: -1 },
      'org.example.other': { x: 1 },
    })
    expect([bad.status, bad.body.error.code]).toEqual([400, 'claims_invalid'])
    expect(
      bad.body.error.details.map(({ claim, code }: { claim: string; code: string }) => `${code} ${claim}`),
    ).toEqual([
      `claim_unknown ${MDL}/nick`,
      'claim_unknown org.example.other',
      `claim_missing ${MDL}/given_name`,
      `claim_invalid ${MDL}/birth_date`,
      `claim_invalid ${MDL}/age_over_18`,
      `claim_invalid ${MDL}/portrait`,
      `claim_invalid ${REGISTRY}/enrolled_at`,
      `claim_invalid ${REGISTRY}/points`,
      `claim_invalid ${REGISTRY}/licence_number`,
    ])
    const one = await offer({ ...MDL_CLAIMS, [MDL]: { ...MDL_CLAIMS[MDL], birth_date: '12.08.1984' } })
    expect(one.body.error).toEqual({
      code: 'claim_invalid',
      message: `Data element '${MDL}/birth_date' (full-date) must be a date (YYYY-MM-DD)`,
    })
    const flat = await offer({ family_name: 'Mustermann' })
    expect(flat.body.error.details[0]).toMatchObject({ claim: 'family_name', code: 'claim_unknown' })
    const notObject = await offer({ ...MDL_CLAIMS, [REGISTRY]: ['x'] })
    expect(notObject.body.error).toMatchObject({
      code: 'claim_invalid',
      message: expect.stringMatching(/must be an object/),
    })
  })
})
