import { DevelopmentCa } from '@attesto/protocol-kit'
import { holderAgent, redeemOffer, startService } from '@attesto/testing'
import { createVerifierApp, type VerifierRuntime } from '@attesto/verifier'
import { type MdocRecord, X509ModuleConfig } from '@credo-ts/core'
import { type IssuerProcess, startIssuerProcess } from './support/issuerProcess.js'
import { licenceRequest, MDL, mdocOffer, mdocVerifier, VERIFIED_LICENCE } from './support/mdocParties.js'

// Credo's own wallet (OpenId4VcHolder of @credo-ts/openid4vc 0.6.3) receives an mdoc from the
// Attesto issuer (its own process, the document signer certified by a development IACA) and
// presents it to the verifier's x509_hash request over direct_post.jwt. Credo 0.6.3 signs an
// OpenID4VP 1.0 request's DeviceResponse over the OpenID4VPHandover of OpenID4VP 1.0 B.2.6.1
// (client_id, nonce, the response key's thumbprint, response_uri), the transcript the verifier
// computes. Real PostgreSQL.

describe("Credo's holder presents an mdoc from the Attesto issuer", () => {
  let verifier: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  let issuer: IssuerProcess
  let wallet: Awaited<ReturnType<typeof holderAgent>>
  let iaca: DevelopmentCa
  let parties: Awaited<ReturnType<typeof mdocVerifier>>
  const call = (...args: Parameters<typeof verifier.call>) => verifier.call(...args)

  beforeAll(async () => {
    issuer = await startIssuerProcess('mdoccredo')
    verifier = await startService('verifier', createVerifierApp)
    wallet = await holderAgent()
    iaca = await DevelopmentCa.create({ name: 'Road Authority', country: 'NL' })
    parties = await mdocVerifier(verifier, iaca)
    // The wallet checks the mdoc it receives against the IACA.
    wallet.agent.dependencyManager.resolve(X509ModuleConfig).setTrustedCertificates([iaca.rootBase64()])
    const [received] = await redeemOffer(wallet.agent, (await mdocOffer(issuer, iaca)).uri)
    await wallet.agent.mdoc.store({ record: received?.record as MdocRecord })
  }, 240_000)
  afterAll(async () => {
    await wallet?.close()
    await verifier?.close()
    await issuer?.close()
  })

  it('is verified with the disclosed elements, the document signer and the IACA', async () => {
    const created = await licenceRequest(verifier, parties, [
      { path: [MDL, 'family_name'] },
      { path: [MDL, 'birth_date'] },
      { path: [MDL, 'age_over_18'], intent_to_retain: true },
    ])
    const holder = wallet.agent.openid4vc.holder
    const resolved = await holder.resolveOpenId4VpAuthorizationRequest(created.uri, {
      trustedCertificates: [parties.verifierCa.rootBase64()],
    })
    expect(resolved.verifier.clientIdPrefix).toBe('x509_hash')
    const accepted = await holder.acceptOpenId4VpAuthorizationRequest({
      authorizationRequestPayload: resolved.authorizationRequestPayload,
      dcql: { credentials: holder.selectCredentialsForDcqlRequest(resolved.dcql?.queryResult as never) },
    })
    expect(accepted.serverResponse?.status).toBe(200)
    const result = (await call('GET', `/presentation-requests/${created.requestId}`, parties.key)).body
    expect(result).toMatchObject(VERIFIED_LICENCE)
    // What was asked for, a full-date (CBOR tag 1004) as YYYY-MM-DD; the given name stayed in the wallet.
    expect(result.credentials[0].claims).toEqual({
      [MDL]: { family_name: 'Mustermann', birth_date: '1984-08-12', age_over_18: true },
    })
  }, 120_000)
})
