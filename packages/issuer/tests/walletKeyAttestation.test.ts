import { HolderWallet, type HolderWalletError, type KeyAttestationRequest } from '@attesto/holder'
import { startService } from '@attesto/testing'
import type { JWK } from 'jose'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { tenantWithIssuer } from './support/issuerFixture.js'
import { keyAttestation, trustedWalletProvider, type WalletProviderCa } from './support/keyAttestations.js'

// The wallet SDK's key attestation hook against this issuer (OID4VCI 1.0 Appendix D): a
// configuration that requires a key_storage level, a wallet provider built with @peculiar/x509
// and jose whose root the tenant trusts, the app's hook signing an attestation of the keys the
// wallet made. Real PostgreSQL.

const HIGH = ['iso_18045_high', 'iso_18045_moderate']

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a HolderWalletError')
    },
    (error: HolderWalletError) => error,
  )
const cnfOf = (sdJwt: string): JWK =>
  JSON.parse(Buffer.from(sdJwt.split('~')[0]?.split('.')[1] as string, 'base64url').toString()).cnf.jwk
const sameKey = (a: JWK) => (b: Record<string, unknown>) => a.x === b.x && a.y === b.y

describe('the wallet SDK against the issuer: key attestations', () => {
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>
  let key = ''
  let issuerId = ''
  let provider: WalletProviderCa
  const wallets: HolderWallet[] = []

  const open = async () => {
    const wallet = await HolderWallet.open({ inMemory: true, passphrase: 'wallet passphrase', allowInsecureHttp: true })
    wallets.push(wallet)
    return wallet
  }
  const offer = async () => {
    const created = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'secure',
      claims: { given_name: 'Ada' },
    })
    expect(created.status).toBe(201)
    return created.body as { offerId: string; uri: string }
  }
  /** The app's hook: the wallet provider attests the keys it is given, at `keyStorage`, with the nonce or without. */
  const hook =
    (asks: KeyAttestationRequest[], options: { keyStorage?: string[]; withNonce?: boolean } = {}) =>
    (request: KeyAttestationRequest) => {
      asks.push(request)
      return keyAttestation(provider, {
        attestedKeys: request.keys as JWK[],
        keyStorage: options.keyStorage ?? ['iso_18045_high'],
        ...(options.withNonce ? { nonce: request.nonce } : {}),
      })
    }

  beforeAll(async () => {
    service = await startService('issuer', createIssuerApp, {
      TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
      PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
    })
    ;({ key, issuerId } = await tenantWithIssuer(service, {
      label: 'Secure Wallets Only',
      configurationId: 'pass',
      vct: 'https://issuer.test/pass',
      claims: [{ name: 'given_name', type: 'string', required: true }],
    }))
    const secure = await service.call('PUT', `/issuers/${issuerId}/credential-configurations/secure`, key, {
      vct: 'https://issuer.test/secure',
      claims: [{ name: 'given_name', type: 'string', required: true }],
      keyAttestationsRequired: { keyStorage: HIGH },
    })
    expect(secure.status).toBe(200)
    expect((await service.call('PATCH', `/issuers/${issuerId}`, key, { batchSize: 3 })).status).toBe(200)
    provider = await trustedWalletProvider(service, key)
  }, 120_000)
  afterAll(async () => {
    for (const wallet of wallets) await wallet.close()
    await service?.close()
  })

  it('tells the app in the preview that the credential needs a key attestation, and at which levels', async () => {
    const wallet = await open()
    const resolved = await wallet.resolveOffer((await offer()).uri)
    expect(resolved.credentials).toEqual([
      expect.objectContaining({ configurationId: 'secure', keyAttestationsRequired: { keyStorage: HIGH } }),
    ])
  })

  it('receives one credential bound to the key its attestation names (a jwt proof with key_attestation)', async () => {
    const wallet = await open()
    const resolved = await wallet.resolveOffer((await offer()).uri)
    const asks: KeyAttestationRequest[] = []
    const [card, ...others] = await wallet.acceptOffer(resolved, { instances: 1, keyAttestation: hook(asks) })
    expect(others).toEqual([])
    expect(card?.claims).toEqual({ given_name: 'Ada' })
    expect(asks).toEqual([
      {
        credentialIssuer: resolved.issuer.credentialIssuer,
        credentialConfigurationId: 'secure',
        keys: [expect.objectContaining({ kty: 'EC', crv: 'P-256', kid: expect.any(String) })],
        nonce: expect.any(String),
        required: { keyStorage: HIGH },
      },
    ])
    expect(asks[0]?.keys.map((jwk) => jwk.d)).toEqual([undefined])
    expect(sameKey(cnfOf(card?.raw as string))(asks[0]?.keys[0] as Record<string, unknown>)).toBe(true)
  }, 60_000)

  it('receives a batch of 3 from one attestation of the 3 keys (the attestation proof type), kept as one card', async () => {
    const wallet = await open()
    const resolved = await wallet.resolveOffer((await offer()).uri)
    const asks: KeyAttestationRequest[] = []
    const [card] = await wallet.acceptOffer(resolved, {
      instances: 3,
      keyAttestation: hook(asks, { keyStorage: ['iso_18045_moderate'], withNonce: true }),
    })
    expect(asks).toHaveLength(1)
    expect(asks[0]?.keys).toHaveLength(3)
    expect(new Set(asks[0]?.keys.map((jwk) => jwk.x)).size).toBe(3)
    expect(card?.instances).toEqual({ received: 3, unused: 3 })
    expect(asks[0]?.keys.some(sameKey(cnfOf(card?.raw as string)))).toBe(true)
  }, 60_000)

  it('surfaces key_attestation_refused when the attestation names too low a key_storage level', async () => {
    const wallet = await open()
    const resolved = await wallet.resolveOffer((await offer()).uri)
    const error = await rejection(
      wallet.acceptOffer(resolved, { keyAttestation: hook([], { keyStorage: ['iso_18045_basic'] }) }),
    )
    expect(error.code).toBe('key_attestation_refused')
    expect(error.details).toMatchObject({
      status: 400,
      error: 'invalid_proof',
      errorDescription: expect.stringContaining('key_storage (iso_18045_basic) does not meet'),
    })
    expect(await wallet.listCredentials()).toEqual([])
  }, 60_000)

  it('refuses with unsupported_offer before redeeming anything when the app gives no hook', async () => {
    const wallet = await open()
    const made = await offer()
    const resolved = await wallet.resolveOffer(made.uri)
    const error = await rejection(wallet.acceptOffer(resolved))
    expect(error.code).toBe('unsupported_offer')
    expect(error.details).toEqual({
      configurationIds: ['secure'],
      keyAttestationsRequired: { secure: { keyStorage: HIGH } },
    })
    // Nothing was sent: the offer is still waiting, and the same wallet takes it once it has a hook.
    expect((await service.call('GET', `/offers/${made.offerId}`, key)).body.status).toBe('offered')
    const [card] = await wallet.acceptOffer(resolved, { instances: 1, keyAttestation: hook([]) })
    expect(card?.claims).toEqual({ given_name: 'Ada' })
  }, 60_000)
})
