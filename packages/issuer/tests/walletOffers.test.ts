import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HolderWallet, type HolderWalletError, type OpenHolderWalletOptions } from '@attesto/holder'
import { DevelopmentCa } from '@attesto/protocol-kit'
import { startService } from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { certifyIssuer } from './support/issuerFixture.js'

// The wallet SDK's two-step issuance against this issuer (its REST API and OID4VCI endpoints,
// storage in the real PostgreSQL): the preview screen's data, transaction codes, the card kept
// with the credential, declining, and the trust policy on an issuer under an X.509 chain.

const VCT = 'https://university.example/diploma'
const ISSUER_DISPLAY = [
  {
    name: 'University of Examples',
    locale: 'en',
    logo: { uri: 'https://university.example/crest.png', alt_text: 'Crest' },
  },
  { name: 'Universiteit van Voorbeelden', locale: 'nl' },
]
const CARD = [
  {
    name: 'Diploma',
    locale: 'en',
    description: 'A university degree',
    logo: { uri: 'https://university.example/diploma.png' },
    background_color: '#12107c',
    text_color: '#ffffff',
  },
  { name: 'Diploma (nl)', locale: 'nl' },
]
const CLAIMS = [
  {
    name: 'given_name',
    type: 'string',
    display: [
      { name: 'Given name', locale: 'en' },
      { name: 'Voornaam', locale: 'nl' },
    ],
  },
  { name: 'degree', type: 'string', required: true, display: [{ name: 'Degree', locale: 'en' }] },
  { name: 'faculty', type: 'string', selectivelyDisclosable: false },
]

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a HolderWalletError')
    },
    (error: HolderWalletError) => error,
  )

describe('the wallet SDK against the issuer: two-step offers', () => {
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>
  let key = ''
  let issuerId = ''
  let issuerDid = ''
  let credentialIssuer = ''
  let dataDir = ''
  const wallets: HolderWallet[] = []

  const open = async (options: Partial<OpenHolderWalletOptions> = {}) => {
    const wallet = await HolderWallet.open({
      inMemory: !options.dataDir,
      passphrase: 'wallet passphrase',
      allowInsecureHttp: true,
      ...options,
    })
    wallets.push(wallet)
    return wallet
  }
  const offer = async (body: Record<string, unknown> = {}) => {
    const created = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'diploma',
      claims: { given_name: 'Ada', degree: 'MSc Mathematics', faculty: 'Science' },
      ...body,
    })
    expect(created.status).toBe(201)
    return created.body as { offerId: string; uri: string; txCode?: string }
  }
  const offerState = async (offerId: string) => (await service.call('GET', `/offers/${offerId}`, key)).body.status

  beforeAll(async () => {
    service = await startService('issuer', createIssuerApp, { TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0' })
    key = (await service.call('POST', '/tenants', service.adminApiKey, { label: 'University' })).body.apiKey
    ;({
      issuerId,
      did: issuerDid,
      credentialIssuer,
    } = (await service.call('POST', '/issuers', key, { display: ISSUER_DISPLAY })).body)
    const configuration = await service.call('PUT', `/issuers/${issuerId}/credential-configurations/diploma`, key, {
      vct: VCT,
      display: CARD,
      claims: CLAIMS,
    })
    expect(configuration.status).toBe(200)
    dataDir = await mkdtemp(join(tmpdir(), 'attesto-wallet-offers-'))
  }, 120_000)
  afterEach(async () => {
    for (const wallet of wallets.splice(0)) await wallet.close()
  })
  afterAll(async () => {
    await service?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it("previews an offer: the issuer's display, the card and claim labels, the transaction code it needs", async () => {
    const wallet = await open()
    const { offerId, uri } = await offer({ txCode: { length: 6 } })
    const resolved = await wallet.resolveOffer(uri)
    expect(resolved.issuer).toEqual({
      credentialIssuer,
      display: [
        {
          name: 'University of Examples',
          locale: 'en',
          logo: { uri: 'https://university.example/crest.png', altText: 'Crest' },
        },
        { name: 'Universiteit van Voorbeelden', locale: 'nl' },
      ],
      trust: expect.objectContaining({ trusted: false, code: 'checked_on_receipt' }),
    })
    expect(resolved.credentials).toEqual([
      {
        configurationId: 'diploma',
        format: 'dc+sd-jwt',
        vct: VCT,
        display: [
          {
            name: 'Diploma',
            locale: 'en',
            description: 'A university degree',
            logo: { uri: 'https://university.example/diploma.png' },
            backgroundColor: '#12107c',
            textColor: '#ffffff',
          },
          { name: 'Diploma (nl)', locale: 'nl' },
        ],
        claims: [
          {
            path: ['given_name'],
            mandatory: false,
            labels: [
              { name: 'Given name', locale: 'en' },
              { name: 'Voornaam', locale: 'nl' },
            ],
          },
          { path: ['degree'], mandatory: true, labels: [{ name: 'Degree', locale: 'en' }] },
          { path: ['faculty'], mandatory: false, labels: [] },
        ],
      },
    ])
    expect(resolved.grant).toEqual({
      type: 'pre-authorized_code',
      transactionCode: { inputMode: 'numeric', length: 6, description: 'The code sent to you' },
    })
    expect(await offerState(offerId)).toBe('offered') // a preview redeems nothing
  }, 120_000)

  it('asks for the transaction code, refuses a wrong one with the attempts left, and stores the card with the credential', async () => {
    const wallet = await open({ dataDir })
    const validFrom = new Date(Math.floor(Date.now() / 1000 - 60) * 1000).toISOString()
    const validUntil = new Date(Math.floor(Date.now() / 1000 + 30 * 24 * 3600) * 1000).toISOString()
    const { offerId, uri, txCode } = await offer({
      txCode: { length: 6 },
      credentialValidFrom: validFrom,
      credentialValidUntil: validUntil,
    })
    const resolved = await wallet.resolveOffer(uri)
    expect((await rejection(wallet.acceptOffer(resolved))).code).toBe('transaction_code_required')
    const mistyped = await rejection(wallet.acceptOffer(resolved, { txCode: '12a' }))
    expect(mistyped).toMatchObject({ code: 'wrong_transaction_code', details: { checkedLocally: true } })
    const wrongCode = String((Number(txCode) + 1) % 1_000_000).padStart(6, '0')
    const wrong = await rejection(wallet.acceptOffer(resolved, { txCode: wrongCode }))
    expect(wrong).toMatchObject({
      code: 'wrong_transaction_code',
      details: { error: 'invalid_grant', attemptsLeft: 4 },
    })
    expect(await offerState(offerId)).toBe('offered')

    const [received] = await wallet.acceptOffer(resolved, { txCode })
    expect(received).toMatchObject({
      format: 'dc+sd-jwt',
      vct: VCT,
      issuer: issuerDid,
      credentialIssuer,
      credentialConfigurationId: 'diploma',
      display: resolved.credentials[0]?.display,
      issuerDisplay: resolved.issuer.display,
      claimDisplay: resolved.credentials[0]?.claims,
      claims: { given_name: 'Ada', degree: 'MSc Mathematics', faculty: 'Science' },
      validFrom,
      expiresAt: validUntil,
      issuerTrust: { trusted: true, basis: 'any_did', did: issuerDid },
    })
    expect(Math.abs(Date.parse(received?.issuedAt as string) - Date.now())).toBeLessThan(120_000)
    expect(received?.raw.split('~').length).toBeGreaterThan(2) // issuer JWT and its disclosures
    // Issued, and the wallet told the issuer it kept it (OID4VCI notification).
    expect(await offerState(offerId)).toBe('credential_accepted')

    // The same offer again: this wallet knows it used it; another wallet only hears that it is dead.
    const again = await rejection(wallet.acceptOffer(await wallet.resolveOffer(uri), { txCode }))
    expect(again.code).toBe('offer_used')
    const other = await open()
    expect((await rejection(other.acceptOffer(await other.resolveOffer(uri), { txCode }))).code).toBe('offer_expired')
    expect((await wallet.activity())[0]).toMatchObject({
      type: 'offer_accepted',
      party: credentialIssuer,
      partyName: 'University of Examples',
      credentialIds: [received?.id],
    })
  }, 180_000)

  it('declines an offer: nothing is redeemed, the history says so', async () => {
    const wallet = await open()
    const { offerId, uri } = await offer()
    const resolved = await wallet.resolveOffer(uri)
    await wallet.declineOffer(resolved)
    expect(await offerState(offerId)).toBe('offered')
    expect(await wallet.listCredentials()).toEqual([])
    expect(await wallet.activity()).toEqual([
      expect.objectContaining({ type: 'offer_declined', party: credentialIssuer, partyName: 'University of Examples' }),
    ])
  }, 120_000)

  it('answers what an app must react to with a stable code', async () => {
    const wallet = await open()
    expect((await rejection(wallet.resolveOffer('openid-credential-offer://?credential_offer=%7Bnot-json'))).code).toBe(
      'invalid_offer',
    )
    const nowhere = { credential_issuer: 'http://127.0.0.1:9/oid4vci/x', credential_configuration_ids: ['diploma'] }
    const unreachable = `openid-credential-offer://?credential_offer=${encodeURIComponent(JSON.stringify(nowhere))}`
    expect((await rejection(wallet.resolveOffer(unreachable))).code).toBe('issuer_unreachable')
    // An authorisation code offer: previewed; accepting it before the holder logged in is refused.
    const codeOffer = {
      credential_issuer: credentialIssuer,
      credential_configuration_ids: ['diploma'],
      grants: { authorization_code: { issuer_state: 'state-1' } },
    }
    const resolved = await wallet.resolveOffer(
      `openid-credential-offer://?credential_offer=${encodeURIComponent(JSON.stringify(codeOffer))}`,
    )
    expect(resolved.grant).toEqual({ type: 'authorization_code', supported: true, issuerState: 'state-1' })
    expect((await rejection(wallet.acceptOffer(resolved))).code).toBe('authorization_required')
    await expect(wallet.getCredential('no-such-id')).rejects.toMatchObject({ code: 'credential_not_found' })
  }, 120_000)

  it("refuses, holds or keeps credentials of an issuer under an X.509 chain, as the wallet's trust policy says", async () => {
    const ca = await DevelopmentCa.create({ name: 'Example National' })
    expect((await certifyIssuer(service, key, issuerId, ca)).status).toBe(200)

    // refuse (the default): the credential arrives, its chain leads to no anchor, nothing is kept.
    const wary = await open()
    const refusedOffer = await offer()
    const refused = await rejection(wary.acceptOffer(await wary.resolveOffer(refusedOffer.uri)))
    expect(refused).toMatchObject({
      code: 'untrusted_issuer',
      details: {
        trust: {
          trusted: false,
          code: 'no_trusted_anchor',
          certificate: { chain: [{ subject: 'CN=University' }, {}] },
        },
      },
    })
    expect(await wary.listCredentials()).toEqual([])
    expect((await wary.activity())[0]).toMatchObject({ type: 'credential_refused', party: credentialIssuer })

    // ask: the credential is held, not stored, until the holder accepts it knowingly; the offer is redeemed once.
    const asking = await open({ trust: { untrusted: 'ask' } })
    const heldOffer = await offer()
    const resolved = await asking.resolveOffer(heldOffer.uri)
    const held = await rejection(asking.acceptOffer(resolved))
    expect(held).toMatchObject({
      code: 'untrusted_issuer',
      details: { held: true, trust: { code: 'no_trusted_anchor' } },
    })
    expect(await asking.listCredentials()).toEqual([])
    const [kept] = await asking.acceptOffer(resolved, { acceptUntrusted: true })
    expect(kept).toMatchObject({ issuer: credentialIssuer, issuerTrust: { trusted: false, code: 'no_trusted_anchor' } })
    expect((await asking.listCredentials()).map((credential) => credential.id)).toEqual([kept?.id])
    const declined = await asking.resolveOffer((await offer()).uri)
    await rejection(asking.acceptOffer(declined))
    await asking.declineOffer(declined)
    expect(await asking.listCredentials()).toHaveLength(1)

    // A wallet that trusts the CA keeps it, and previews the next offer of this issuer as trusted.
    const trusting = await open({ trustedCertificates: [ca.rootBase64()] })
    const [trusted] = await trusting.acceptOffer(await trusting.resolveOffer((await offer()).uri))
    expect(trusted?.issuerTrust).toMatchObject({
      trusted: true,
      basis: 'x509_anchor',
      certificate: {
        chain: [{ subject: 'CN=University' }, {}],
        anchor: { subject: expect.stringContaining('Example National') },
      },
    })
    // Its status list token is signed under the same chain: the wallet reads it with the certificate's key.
    expect(await trusting.credentialStatus(trusted?.id as string)).toEqual({ status: 'valid' })
    const next = await trusting.resolveOffer((await offer()).uri)
    expect(next.issuer).toMatchObject({
      trust: { trusted: true, basis: 'x509_anchor' },
      trustFrom: { credentialId: trusted?.id },
    })
    expect((await service.call('DELETE', `/issuers/${issuerId}/certificate`, key)).status).toBe(204)
  }, 240_000)

  it("refuses a DID issuer that is not on the wallet's allow-list", async () => {
    const listed = await open({ trust: { issuers: { dids: [issuerDid] } } })
    const [received] = await listed.acceptOffer((await offer()).uri)
    expect(received?.issuerTrust).toEqual({ trusted: true, basis: 'did_allow_list', did: issuerDid })
    const unlisted = await open({ trust: { issuers: { dids: ['did:example:someone-else'] } } })
    const refused = await rejection(unlisted.acceptOffer((await offer()).uri))
    expect(refused).toMatchObject({
      code: 'untrusted_issuer',
      details: { trust: { code: 'not_on_allow_list', did: issuerDid } },
    })
  }, 120_000)

  it('lists the credentials with their cards when the issuer is gone', async () => {
    const closing = service
    service = undefined as never
    await closing.close()
    const wallet = await open({ dataDir })
    const [stored] = await wallet.listCredentials()
    expect(stored).toMatchObject({
      credentialIssuer,
      display: [
        expect.objectContaining({ name: 'Diploma', backgroundColor: '#12107c' }),
        { name: 'Diploma (nl)', locale: 'nl' },
      ],
      issuerDisplay: [expect.objectContaining({ name: 'University of Examples' }), expect.anything()],
      claimDisplay: expect.arrayContaining([expect.objectContaining({ path: ['given_name'] })]),
    })
  }, 120_000)
})
