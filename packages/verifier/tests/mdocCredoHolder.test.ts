import { holderAgent, redeemOffer, startService } from '@attesto/agent-runtime/testing'
import { DevelopmentCa } from '@attesto/protocol-kit'
import { type MdocRecord, X509ModuleConfig } from '@credo-ts/core'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'
import { type IssuerProcess, startIssuerProcess } from './support/issuerProcess.js'

// Credo's own wallet (OpenId4VcHolder of @credo-ts/openid4vc 0.6.3) receives an mdoc from the
// Attesto issuer (its own process, the document signer certified by a development IACA) and
// presents it to the verifier's x509_hash request over direct_post.jwt. Credo 0.6.3 signs an
// OpenID4VP 1.0 request's DeviceResponse over the OpenID4VPHandover of OpenID4VP 1.0 B.2.6.1
// (client_id, nonce, the response key's thumbprint, response_uri), the transcript the verifier
// computes. Real PostgreSQL.

const DOCTYPE = 'org.iso.18013.5.1.mDL'
const MDL = 'org.iso.18013.5.1'

describe("Credo's holder presents an mdoc from the Attesto issuer", () => {
  let verifier: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  let issuer: IssuerProcess
  let wallet: Awaited<ReturnType<typeof holderAgent>>
  let iaca: DevelopmentCa
  let verifierCa: DevelopmentCa
  let key = ''
  let verifierId = ''
  const call = (...args: Parameters<typeof verifier.call>) => verifier.call(...args)

  /** Through the issuer's REST API: a P-256 issuer certified by the IACA, an mDL configuration, an offer. */
  async function mdocOffer() {
    const admin = (await issuer.call('POST', '/tenants', issuer.adminApiKey, { label: 'Road Authority' })).body.apiKey
    const { issuerId } = (await issuer.call('POST', '/issuers', admin, {})).body
    const csr = await issuer.call('POST', `/issuers/${issuerId}/certificate-signing-request`, admin, {
      commonName: 'Road Authority DS',
      country: 'NL',
      mdocDocumentSigner: true,
    })
    const chain = await iaca.issue(csr.body.csr)
    expect((await issuer.call('PUT', `/issuers/${issuerId}/certificate`, admin, { chain })).status).toBe(200)
    const configuration = await issuer.call('PUT', `/issuers/${issuerId}/credential-configurations/mdl`, admin, {
      format: 'mso_mdoc',
      doctype: DOCTYPE,
      namespaces: {
        [MDL]: [
          { name: 'family_name', type: 'string', required: true },
          { name: 'given_name', type: 'string', required: true },
          { name: 'birth_date', type: 'full-date', required: true },
          { name: 'age_over_18', type: 'bool' },
        ],
      },
    })
    expect(configuration.status).toBe(200)
    const offer = await issuer.call('POST', '/offers', admin, {
      issuerId,
      credentialConfigurationId: 'mdl',
      claims: {
        [MDL]: { family_name: 'Mustermann', given_name: 'Erika', birth_date: '1984-08-12', age_over_18: true },
      },
    })
    expect(offer.status).toBe(201)
    return offer.body.uri as string
  }

  beforeAll(async () => {
    issuer = await startIssuerProcess('mdoccredo')
    verifier = await startService('verifier', createVerifierApp)
    wallet = await holderAgent()
    iaca = await DevelopmentCa.create({ name: 'Road Authority', country: 'NL' })
    verifierCa = await DevelopmentCa.create({ name: 'Relying Parties' })
    key = (await call('POST', '/tenants', verifier.adminApiKey, { label: 'Car rental' })).body.apiKey
    verifierId = (await call('POST', '/verifiers', key, {})).body.verifierId
    const csr = await call('POST', `/verifiers/${verifierId}/certificate-signing-request`, key, {
      commonName: 'Rental',
    })
    const chain = await verifierCa.issue(csr.body.csr)
    expect((await call('PUT', `/verifiers/${verifierId}/certificate`, key, { chain })).status).toBe(200)
    expect((await call('PUT', '/trust-anchors/road-iaca', key, { certificate: iaca.rootBase64() })).status).toBe(200)
    // The wallet checks the mdoc it receives against the IACA.
    wallet.agent.dependencyManager.resolve(X509ModuleConfig).setTrustedCertificates([iaca.rootBase64()])
    const [received] = await redeemOffer(wallet.agent, await mdocOffer())
    await wallet.agent.mdoc.store({ record: received?.record as MdocRecord })
  }, 240_000)
  afterAll(async () => {
    await wallet?.close()
    await verifier?.close()
    await issuer?.close()
  })

  it('is verified with the disclosed elements, the document signer and the IACA', async () => {
    const created = await call('POST', '/presentation-requests', key, {
      verifierId,
      dcql: {
        query: {
          credentials: [
            {
              id: 'licence',
              format: 'mso_mdoc',
              meta: { doctype_value: DOCTYPE },
              claims: [
                { path: [MDL, 'family_name'] },
                { path: [MDL, 'birth_date'] },
                { path: [MDL, 'age_over_18'], intent_to_retain: true },
              ],
            },
          ],
        },
      },
    })
    expect(created.status).toBe(201)
    const holder = wallet.agent.openid4vc.holder
    const resolved = await holder.resolveOpenId4VpAuthorizationRequest(created.body.uri, {
      trustedCertificates: [verifierCa.rootBase64()],
    })
    expect(resolved.verifier.clientIdPrefix).toBe('x509_hash')
    const accepted = await holder.acceptOpenId4VpAuthorizationRequest({
      authorizationRequestPayload: resolved.authorizationRequestPayload,
      dcql: { credentials: holder.selectCredentialsForDcqlRequest(resolved.dcql?.queryResult as never) },
    })
    expect(accepted.serverResponse?.status).toBe(200)
    const result = (await call('GET', `/presentation-requests/${created.body.requestId}`, key)).body
    expect(result).toMatchObject({
      status: 'verified',
      credentials: [
        {
          format: 'mso_mdoc',
          docType: DOCTYPE,
          issuerCertificate: { anchor: { anchorId: 'road-iaca' } },
        },
      ],
    })
    // What was asked for, a full-date (CBOR tag 1004) as YYYY-MM-DD; the given name stayed in the wallet.
    expect(result.credentials[0].claims).toEqual({
      [MDL]: { family_name: 'Mustermann', birth_date: '1984-08-12', age_over_18: true },
    })
  }, 120_000)
})
