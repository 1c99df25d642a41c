import {
  HolderWallet,
  type HolderWalletError,
  type KeyAttestationRequest,
  type WalletAttestationRequest,
} from '@attesto/holder'
import { startService } from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { tenantWithIssuer } from './support/issuerFixture.js'
import { LoginBrowser } from './support/LoginBrowser.js'
import { WALLET_REDIRECT_URI } from './support/OAuthWallet.js'
import { type startOpenIdProvider, tenantProvider } from './support/openIdProvider.js'
import { SenderKey, signJwt } from './support/senderKeys.js'

// The wallet SDK's authorization code flow against this issuer, with oidc-provider (in its own
// process) as the tenant's OpenID provider: the app opens the URL beginAuthorization gives in a
// browser (LoginBrowser drives the provider's login and consent pages over HTTP) and hands the
// redirect to acceptOffer. The issuer requires DPoP (with its nonces) and a wallet attestation
// from a wallet provider trusted by its JWK, and issues batches of 3: the wallet keeps one card
// with 3 instances, tells the issuer credential_accepted, and credential_deleted when deleted.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

const now = () => Math.floor(Date.now() / 1000)

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a HolderWalletError')
    },
    (error: HolderWalletError) => error,
  )

describe('the wallet SDK against the issuer: authorization code flow, DPoP, wallet attestation, batches', () => {
  let service: Service
  let key = ''
  let issuerId = ''
  let credentialIssuer = ''
  let provider: Awaited<ReturnType<typeof startOpenIdProvider>>
  const walletProvider = new SenderKey()
  const wallets: HolderWallet[] = []
  /** What the wallet asked its provider to attest. */
  const attestationRequests: WalletAttestationRequest[] = []

  /** The app's wallet provider: an attestation of the wallet's instance key, trusted by the issuer through its JWK. */
  const attest = (request: WalletAttestationRequest) => {
    attestationRequests.push(request)
    return signJwt(
      { typ: 'oauth-client-attestation+jwt', kid: 'provider-1' },
      {
        iss: 'https://wallet-provider.example',
        sub: 'example-wallet-app',
        iat: now() - 60,
        exp: now() + 3600,
        cnf: { jwk: request.instanceKey },
      },
      walletProvider.privateKey,
    )
  }
  const open = async () => {
    const wallet = await HolderWallet.open({ inMemory: true, passphrase: 'wallet passphrase', allowInsecureHttp: true })
    wallets.push(wallet)
    return wallet
  }
  const offer = async (grant?: 'authorization_code') => {
    const created = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Ada' },
      ...(grant ? { grant } : {}),
    })
    expect(created.status).toBe(201)
    return created.body as { offerId: string; uri: string }
  }
  const offerOf = async (offerId: string) => (await service.call('GET', `/offers/${offerId}`, key)).body

  beforeAll(async () => {
    service = await startService('issuer', createIssuerApp, {
      TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
      PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
      // The tenant's provider is on 127.0.0.1 over http.
      WEBHOOK_ALLOW_INSECURE: 'true',
    })
    ;({ key, issuerId } = await tenantWithIssuer(service, {
      label: 'Transit',
      configurationId: 'pass',
      vct: 'https://issuer.test/pass',
      claims: [{ name: 'given_name', type: 'string', required: true }],
    }))
    credentialIssuer = `${service.http.url}/oid4vci/${issuerId}`
    const trusted = await service.call('PUT', '/wallet-providers/example-wallet', key, {
      jwk: { ...walletProvider.jwk, kid: 'provider-1' },
    })
    expect(trusted.status).toBe(200)
    const patched = await service.call('PATCH', `/issuers/${issuerId}`, key, {
      dpop: 'required',
      clientAttestation: 'required',
      batchSize: 3,
    })
    expect(patched.body).toMatchObject({ dpop: 'required', clientAttestation: 'required', batchSize: 3 })
    provider = await tenantProvider(
      service,
      { key, issuerId, configurationId: 'pass', callbackUrl: `${credentialIssuer}/authorize/callback` },
      [{ sub: 'ada', given_name: 'Ada', family_name: 'Lovelace' }],
    )
  }, 120_000)
  afterAll(async () => {
    for (const wallet of wallets) await wallet.close()
    await provider?.close()
    await service?.close()
  })

  it('logs in through the browser, redeems the code with its DPoP key and attestation, keeps a batch as one card', async () => {
    const wallet = await open()
    wallet.useWalletAttestation(attest)
    const made = await offer('authorization_code')
    const resolved = await wallet.resolveOffer(made.uri)
    expect(resolved.grant).toMatchObject({ type: 'authorization_code', supported: true })
    expect((await rejection(wallet.acceptOffer(resolved))).code).toBe('authorization_required')

    const { authorizationUrl } = await wallet.beginAuthorization(resolved, { redirectUri: WALLET_REDIRECT_URI })
    const url = new URL(authorizationUrl)
    expect(url.origin + url.pathname).toBe(`${credentialIssuer}/authorize`)
    // Pushed (PAR): only the client and the request_uri travel through the browser.
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri'])
    expect(url.searchParams.get('client_id')).toBe('example-wallet-app')
    expect(attestationRequests.at(-1)).toEqual({
      credentialIssuer,
      instanceKey: await wallet.walletInstanceKey(),
    })

    const redirect = await new LoginBrowser().login(authorizationUrl, 'ada', WALLET_REDIRECT_URI)
    const keyAttestationAsks: KeyAttestationRequest[] = []
    const [card, ...others] = await wallet.acceptOffer(resolved, {
      authorizationResponse: redirect.toString(),
      // The issuer does not require key attestations: the hook is asked, gives none, plain proofs go.
      keyAttestation: (request) => {
        keyAttestationAsks.push(request)
        return undefined
      },
    })
    expect(others).toEqual([])
    expect(card?.claims).toEqual({ given_name: 'Ada' })
    expect(card?.instances).toEqual({ received: 3, unused: 3 })
    expect(keyAttestationAsks).toHaveLength(1)
    expect(keyAttestationAsks[0]?.keys).toHaveLength(3)
    expect(keyAttestationAsks[0]?.nonce).toEqual(expect.any(String))
    expect(keyAttestationAsks[0]?.required).toBeUndefined()
    // The wallet told the issuer it kept the credentials (with its DPoP-bound token).
    expect(await offerOf(made.offerId)).toMatchObject({
      walletNotification: { event: 'credential_accepted' },
    })
    expect(await wallet.deleteCredential(card?.id as string)).toEqual({ issuerNotified: true })
    expect((await offerOf(made.offerId)).status).toBe('credential_deleted')
    expect((await wallet.activity()).map((entry) => entry.type).slice(0, 2)).toEqual([
      'credential_deleted',
      'offer_accepted',
    ])
  }, 120_000)

  it('reports an authorization error or a foreign iss in the redirect, and a wallet without an attestation', async () => {
    const wallet = await open()
    wallet.useWalletAttestation(attest)
    const resolved = await wallet.resolveOffer((await offer('authorization_code')).uri)
    await wallet.beginAuthorization(resolved, { redirectUri: WALLET_REDIRECT_URI })
    const denied = await rejection(
      wallet.acceptOffer(resolved, {
        authorizationResponse: `${WALLET_REDIRECT_URI}?error=access_denied&iss=${encodeURIComponent(credentialIssuer)}`,
      }),
    )
    expect(denied).toMatchObject({ code: 'authorization_failed', details: { error: 'access_denied' } })
    await wallet.beginAuthorization(resolved, { redirectUri: WALLET_REDIRECT_URI })
    const foreign = await rejection(
      wallet.acceptOffer(resolved, {
        authorizationResponse: `${WALLET_REDIRECT_URI}?code=abc&iss=${encodeURIComponent('https://other.example')}`,
      }),
    )
    expect(foreign.code).toBe('authorization_failed')

    // An attestation bound to another key is caught before anything is sent.
    wallet.useWalletAttestation((request) => attest({ ...request, instanceKey: new SenderKey().jwk }))
    expect((await rejection(wallet.beginAuthorization(resolved, { redirectUri: WALLET_REDIRECT_URI }))).code).toBe(
      'wallet_attestation_failed',
    )
    // Without one, this issuer refuses the wallet at PAR (and at the token endpoint of a pre-authorised offer).
    wallet.useWalletAttestation(undefined)
    expect((await rejection(wallet.beginAuthorization(resolved, { redirectUri: WALLET_REDIRECT_URI }))).code).toBe(
      'authorization_failed',
    )
    const preAuthorized = await wallet.resolveOffer((await offer()).uri)
    expect((await rejection(wallet.acceptOffer(preAuthorized))).code).toBe('issuance_failed')
  }, 120_000)

  it('redeems a pre-authorised offer with the attestation, asks for the instances the app wants', async () => {
    const wallet = await open()
    wallet.useWalletAttestation(attest)
    const made = await offer()
    const [card] = await wallet.acceptOffer(await wallet.resolveOffer(made.uri), { instances: 2 })
    expect(card?.instances).toEqual({ received: 2, unused: 2 })
    expect(await offerOf(made.offerId)).toMatchObject({ walletNotification: { event: 'credential_accepted' } })
    expect(
      (await rejection(wallet.acceptOffer(await wallet.resolveOffer((await offer()).uri), { instances: 0 }))).code,
    ).toBe('invalid_options')
  }, 120_000)
})
