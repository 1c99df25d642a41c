import { HolderWallet, type MdocWalletCredential } from '@attesto/holder'
import { DevelopmentCa } from '@attesto/protocol-kit'
import { startService } from '@attesto/testing'
import { createVerifierApp, type VerifierRuntime } from '@attesto/verifier'
import { type IssuerProcess, startIssuerProcess } from './support/issuerProcess.js'
import { DOCTYPE, licenceRequest, MDL, mdocOffer, mdocVerifier, VERIFIED_LICENCE } from './support/mdocParties.js'

// The wallet SDK receives an mdoc (mso_mdoc) from the Attesto issuer (its own process, the
// document signer certified by a development IACA), shows its card (doctype, elements by
// namespace with labels, validity), and presents it to the verifier's x509_hash request over
// direct_post.jwt: the consent screen's elements are what the verifier receives. Real PostgreSQL.

describe('the wallet SDK with an mdoc: from the Attesto issuer to the Attesto verifier', () => {
  let verifier: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  let issuer: IssuerProcess
  let wallet: HolderWallet
  let iaca: DevelopmentCa
  let parties: Awaited<ReturnType<typeof mdocVerifier>>
  let issued: Awaited<ReturnType<typeof mdocOffer>>
  const call = (...args: Parameters<typeof verifier.call>) => verifier.call(...args)

  beforeAll(async () => {
    issuer = await startIssuerProcess('walletmdoc', { TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0' })
    verifier = await startService('verifier', createVerifierApp)
    iaca = await DevelopmentCa.create({ name: 'Road Authority', country: 'NL' })
    parties = await mdocVerifier(verifier, iaca)
    wallet = await HolderWallet.open({
      inMemory: true,
      passphrase: 'wallet passphrase',
      allowInsecureHttp: true,
      trust: {
        issuers: { certificates: [iaca.rootBase64()] },
        verifiers: { certificates: [parties.verifierCa.rootBase64()] },
      },
    })
    issued = await mdocOffer(issuer, iaca)
  }, 240_000)
  afterAll(async () => {
    await wallet?.close()
    await verifier?.close()
    await issuer?.close()
  })

  it('previews and receives the mdoc, and shows its card: doctype, elements by namespace with labels, validity', async () => {
    const offer = await wallet.resolveOffer(issued.uri)
    expect(offer.credentials).toEqual([
      expect.objectContaining({ configurationId: 'mdl', format: 'mso_mdoc', doctype: DOCTYPE }),
    ])
    const [card] = (await wallet.acceptOffer(offer)) as MdocWalletCredential[]
    expect(card).toMatchObject({
      format: 'mso_mdoc',
      docType: DOCTYPE,
      issuerTrust: { trusted: true },
      display: [expect.objectContaining({ name: 'Driving licence' })],
      instances: { received: 1, unused: 1 },
    })
    expect(card?.namespaces[MDL]).toEqual(
      expect.arrayContaining([
        { identifier: 'family_name', labels: [{ name: 'Family name', locale: 'en' }], value: 'Mustermann' },
        { identifier: 'age_over_18', labels: [], value: true },
      ]),
    )
    expect(card?.claims[MDL]).toMatchObject({ given_name: 'Erika', family_name: 'Mustermann' })
    const validFrom = Date.parse(card?.validFrom as string)
    expect(Date.parse(card?.expiresAt as string) - validFrom).toBe(30 * 24 * 3600 * 1000)
    expect((await wallet.listCredentials({ docType: DOCTYPE })).map((credential) => credential.id)).toEqual([card?.id])
    expect(await wallet.listCredentials({ vct: DOCTYPE })).toEqual([])
    // The wallet told the issuer it kept it.
    const status = (await issuer.call('GET', `/offers/${issued.offerId}`, issued.admin)).body
    expect(status).toMatchObject({ walletNotification: { event: 'credential_accepted' } })
  }, 180_000)

  it('presents the requested elements to an x509_hash request over direct_post.jwt, exactly as the consent screen shows', async () => {
    const created = await licenceRequest(verifier, parties, [
      { path: [MDL, 'family_name'] },
      { path: [MDL, 'age_over_18'] },
    ])
    const request = await wallet.resolvePresentationRequest(created.uri)
    expect(request).toMatchObject({
      satisfiable: true,
      responseMode: 'direct_post.jwt',
      verifier: { clientIdPrefix: 'x509_hash', trust: { trusted: true } },
    })
    const [query] = request.queries
    expect(query).toMatchObject({ id: 'licence', format: 'mso_mdoc', doctypeValue: DOCTYPE })
    const disclosed = query?.candidates[0]?.disclosed
    expect(disclosed).toEqual([
      {
        path: [MDL, 'family_name'],
        labels: [{ name: 'Family name', locale: 'en' }],
        value: 'Mustermann',
        selectivelyDisclosed: true,
      },
      { path: [MDL, 'age_over_18'], labels: [], value: true, selectivelyDisclosed: true },
    ])
    expect(await wallet.acceptPresentationRequest(request)).toEqual({})
    const result = (await call('GET', `/presentation-requests/${created.requestId}`, parties.key)).body
    expect(result).toMatchObject(VERIFIED_LICENCE)
    expect(result.credentials[0].claims).toEqual({ [MDL]: { family_name: 'Mustermann', age_over_18: true } })
  }, 180_000)
})
