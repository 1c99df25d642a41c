import { holderAgent, startService } from '@attesto/testing'
import type { SdJwtVcRecord } from '@credo-ts/core'
import type { JWK } from 'jose'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { HandWallet, parseOffer } from './support/HandWallet.js'
import { tenantWithIssuer } from './support/issuerFixture.js'
import {
  type KeyAttestationClaims,
  keyAttestation,
  trustedWalletProvider,
  WalletProviderCa,
} from './support/keyAttestations.js'

// Key attestations (OID4VCI 1.0 Appendix D, HAIP 1.0 §4.5.1): a wallet provider built with
// @peculiar/x509 and jose signs them; Credo's holder sends them both ways (the `attestation` proof
// type, and a `jwt` proof with the `key_attestation` header) and receives one credential per
// attested key; a hand-built wallet meets every refusal. Real PostgreSQL.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>
// biome-ignore lint/suspicious/noExplicitAny: metadata and payloads are inspected loosely in tests
type Loose = Record<string, any>

const payloadOf = (credential: string): Loose =>
  JSON.parse(Buffer.from(credential.split('.')[1] as string, 'base64url').toString())
const HIGH = ['iso_18045_high', 'iso_18045_moderate']

describe('key attestations', () => {
  let service: Service
  let key = ''
  let issuerId = ''
  let provider: WalletProviderCa
  let wallet: Awaited<ReturnType<typeof holderAgent>>

  async function offer(configurationId: string) {
    const created = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: configurationId,
      claims: { given_name: 'Ada' },
    })
    expect(created.status).toBe(201)
    return { ...parseOffer(created.body.uri), uri: created.body.uri as string }
  }

  /** Credo's holder takes an offer, binding its credentials through `keyAttestationFor` the keys it made. */
  async function credoReceives(configurationId: string, keyCount: number, withNonce: boolean) {
    const holder = wallet.agent.openid4vc.holder
    const resolvedCredentialOffer = await holder.resolveCredentialOffer((await offer(configurationId)).uri)
    const token = await holder.requestToken({ resolvedCredentialOffer })
    const attested: JWK[] = []
    const { credentials } = await holder.requestCredentials({
      resolvedCredentialOffer,
      ...token,
      credentialBindingResolver: async ({ cNonce }) => {
        for (let index = 0; index < keyCount; index++) {
          const created = await wallet.agent.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
          attested.push(created.publicJwk as JWK)
        }
        const claims: KeyAttestationClaims = { attestedKeys: attested, keyStorage: HIGH, userAuthentication: HIGH }
        const keyAttestationJwt = await keyAttestation(provider, withNonce ? { ...claims, nonce: cNonce } : claims)
        return { method: 'attestation', keyAttestationJwt }
      },
    })
    const [received] = credentials
    if (!received) throw new Error('no credential received')
    const instances = (received.record as SdJwtVcRecord).credentialInstances
    return { attested, instances, resolvedCredentialOffer }
  }

  beforeAll(async () => {
    service = await startService('issuer', createIssuerApp, {
      TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
      PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
    })
    ;({ key, issuerId } = await tenantWithIssuer(service, {
      label: 'Key Attestations',
      configurationId: 'pass',
      vct: 'urn:attesto:test:pass',
      claims: [{ name: 'given_name', type: 'string', required: true }],
    }))
    const configuration = { vct: 'urn:attesto:test:secure', claims: [{ name: 'given_name', type: 'string' }] }
    for (const [id, keyAttestationsRequired] of [
      ['secure', { keyStorage: HIGH, userAuthentication: HIGH }],
      ['attested', {}],
    ] as const) {
      const saved = await service.call('PUT', `/issuers/${issuerId}/credential-configurations/${id}`, key, {
        ...configuration,
        keyAttestationsRequired,
      })
      expect(saved.status).toBe(200)
    }
    expect((await service.call('PATCH', `/issuers/${issuerId}`, key, { batchSize: 3 })).status).toBe(200)
    provider = await trustedWalletProvider(service, key)
    wallet = await holderAgent()
  }, 120_000)
  afterAll(async () => {
    await wallet?.close()
    await service?.close()
  })

  it('keeps the requirement on the configuration and states it in the metadata, per proof type', async () => {
    const listed = await service.call('GET', `/issuers/${issuerId}/credential-configurations`, key)
    const secure = listed.body.credentialConfigurations.find((configuration: Loose) => configuration.id === 'secure')
    expect(secure.keyAttestationsRequired).toEqual({ keyStorage: HIGH, userAuthentication: HIGH })
    const metadata = (await (
      await fetch(`${service.http.url}/.well-known/openid-credential-issuer/oid4vci/${issuerId}`)
    ).json()) as Loose
    const supported = metadata.credential_configurations_supported
    const required = { key_storage: HIGH, user_authentication: HIGH }
    expect(supported.secure.proof_types_supported).toEqual({
      jwt: { proof_signing_alg_values_supported: ['ES256', 'EdDSA'], key_attestations_required: required },
      attestation: { proof_signing_alg_values_supported: ['ES256', 'EdDSA'], key_attestations_required: required },
    })
    expect(supported.attested.proof_types_supported.attestation.key_attestations_required).toEqual({})
    expect(supported.pass.proof_types_supported.jwt.key_attestations_required).toBeUndefined()

    for (const keyAttestationsRequired of [
      { keyStorage: ['iso_18045_medium'] },
      { keyStorage: [] },
      { userAuthentication: ['iso_18045_basic', 'iso_18045_basic'] },
      { key_storage: HIGH },
    ]) {
      const refused = await service.call('PUT', `/issuers/${issuerId}/credential-configurations/other`, key, {
        vct: 'urn:attesto:test:other',
        claims: [{ name: 'given_name', type: 'string' }],
        keyAttestationsRequired,
      })
      expect([refused.status, refused.body.error.message]).toEqual([400, expect.stringContaining('keyAttestations')])
    }
    const ecosystem = await service.call('PUT', `/issuers/${issuerId}/credential-configurations/other`, key, {
      vct: 'urn:attesto:test:other',
      claims: [{ name: 'given_name', type: 'string' }],
      keyAttestationsRequired: { keyStorage: ['https://ecosystem.example/levels/secure-element'] },
    })
    expect(ecosystem.status).toBe(200)
  })

  it("issues Credo's holder one credential per key of an attestation proof, each bound to its attested key", async () => {
    const { attested, instances } = await credoReceives('secure', 3, true)
    expect(instances).toHaveLength(3)
    const bound = instances.map((instance) => payloadOf(instance.compactSdJwtVc).cnf.jwk)
    const thumbprint = (jwk: JWK) => `${jwk.x}.${jwk.y}`
    expect(bound.map(thumbprint).sort()).toEqual(attested.map(thumbprint).sort())
    for (const { compactSdJwtVc } of instances) {
      expect((await wallet.agent.sdJwtVc.verify({ compactSdJwtVc })).isValid).toBe(true)
    }
  })

  it("issues Credo's holder a credential per attested key from one jwt proof with a key_attestation header", async () => {
    const { attested, instances } = await credoReceives('attested', 2, false)
    expect(instances).toHaveLength(2)
    const bound = instances.map((instance) => payloadOf(instance.compactSdJwtVc).cnf.jwk.x)
    expect(bound.sort()).toEqual(attested.map((jwk) => jwk.x).sort())
    expect(new Set(bound).size).toBe(2)
  })

  it('refuses, with invalid_proof naming the problem, what does not meet the requirement', async () => {
    const made = await offer('secure')
    const issuer = made.credentialIssuer
    const hand = new HandWallet()
    const token = (await hand.redeem(issuer, made.code)).body.access_token as string
    const nonce = await hand.nonce(issuer)
    const others = [new HandWallet(), new HandWallet(), new HandWallet()]
    const keysOf = (wallets: HandWallet[]) => wallets.map((entry) => entry.jwk as JWK)
    const good: KeyAttestationClaims = {
      attestedKeys: keysOf([hand]),
      keyStorage: ['iso_18045_high'],
      userAuthentication: ['iso_18045_moderate'],
      nonce,
    }
    const stranger = await WalletProviderCa.create('Stranger Wallet')
    const selfSigned = await WalletProviderCa.create('Lone Wallet', { selfSignedSigner: true })
    await service.call('PUT', '/wallet-providers/lone-wallet', key, { certificate: selfSigned.x5c()[0] })

    const send = (proofs: object) => hand.credential(issuer, token, { credential_configuration_id: 'secure', proofs })
    const asProof = async (claims: KeyAttestationClaims, header?: object) => ({
      attestation: [await keyAttestation(provider, claims, header)],
    })
    const inJwt = async (claims: KeyAttestationClaims, signer = hand) => ({
      jwt: [signer.proof(issuer, nonce, { header: { key_attestation: await keyAttestation(provider, claims) } })],
    })
    const cases: [string, object, string, RegExp][] = [
      ['no attestation', { jwt: [hand.proof(issuer, nonce)] }, 'invalid_proof', /requires a key attestation/],
      [
        'untrusted chain',
        { attestation: [await keyAttestation(stranger, good)] },
        'invalid_proof',
        /x5c chain is not trusted/,
      ],
      [
        'the trust anchor in x5c',
        await asProof(good, { x5c: [...provider.x5c(), provider.rootBase64()] }),
        'invalid_proof',
        /must not include the trust anchor/,
      ],
      [
        'a self-signed signing certificate',
        { attestation: [await keyAttestation(selfSigned, good)] },
        'invalid_proof',
        /self-signed/,
      ],
      [
        'key_storage too low',
        await asProof({ ...good, keyStorage: ['iso_18045_basic'] }),
        'invalid_proof',
        /key_storage \(iso_18045_basic\) does not meet .*iso_18045_high, iso_18045_moderate/,
      ],
      ['no key_storage', await asProof({ ...good, keyStorage: undefined }), 'invalid_proof', /names no key_storage/],
      [
        'user_authentication too low',
        await asProof({ ...good, userAuthentication: ['iso_18045_enhanced-basic'] }),
        'invalid_proof',
        /user_authentication \(iso_18045_enhanced-basic\) does not meet/,
      ],
      [
        'the proof key not attested',
        await inJwt({ ...good, attestedKeys: keysOf(others.slice(0, 1)) }),
        'invalid_proof',
        /not signed by a key that its key attestation attests/,
      ],
      ['expired', await asProof({ ...good, exp: Math.floor(Date.now() / 1000) - 600 }), 'invalid_proof', /has expired/],
      ['no exp in a jwt proof', await inJwt({ ...good, exp: null }), 'invalid_proof', /must carry 'exp'/],
      [
        'no nonce in an attestation proof',
        await asProof({ ...good, nonce: undefined }),
        'invalid_proof',
        /carries no 'nonce'/,
      ],
      [
        'a nonce not of this issuer',
        await asProof({ ...good, nonce: 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln' }),
        'invalid_nonce',
        /not a live c_nonce/,
      ],
      [
        'more keys than the batch size',
        await asProof({ ...good, attestedKeys: keysOf([hand, ...others]) }),
        'invalid_proof',
        /At most 3 keys per request/,
      ],
      [
        'one key twice',
        await asProof({ ...good, attestedKeys: keysOf([hand, hand]) }),
        'invalid_proof',
        /key of its own/,
      ],
      ['a wrong typ', await asProof(good, { typ: 'jwt' }), 'invalid_proof', /'typ' must be 'key-attestation\+jwt'/],
      [
        'two attestations',
        { attestation: [await keyAttestation(provider, good), await keyAttestation(provider, good)] },
        'invalid_proof',
        /exactly one key attestation/,
      ],
      [
        'two proof types',
        { ...(await asProof(good)), jwt: [hand.proof(issuer, nonce)] },
        'invalid_credential_request',
        /one proof type/,
      ],
    ]
    for (const [what, proofs, error, description] of cases) {
      const refused = await send(proofs)
      expect([what, refused.status, refused.body.error]).toEqual([what, 400, error])
      expect([what, refused.body.error_description]).toEqual([what, expect.stringMatching(description)])
    }

    // Refusals change nothing: the same token then takes one attestation covering three keys.
    const three = keysOf([hand, ...others.slice(0, 2)])
    const issued = await send(await asProof({ ...good, attestedKeys: three }))
    expect(issued.status).toBe(200)
    const bound = (issued.body.credentials as { credential: string }[]).map(
      ({ credential }) => payloadOf(credential).cnf.jwk.x,
    )
    expect(bound).toEqual(three.map((jwk) => jwk.x))
  })

  it('checks an attestation that comes with a configuration that does not require one', async () => {
    const made = await offer('pass')
    const hand = new HandWallet()
    const token = (await hand.redeem(made.credentialIssuer, made.code)).body.access_token as string
    const nonce = await hand.nonce(made.credentialIssuer)
    const stranger = await WalletProviderCa.create('Other Stranger')
    const attestation = await keyAttestation(stranger, { attestedKeys: [hand.jwk as JWK], nonce })
    const refused = await hand.credential(made.credentialIssuer, token, {
      credential_configuration_id: 'pass',
      proofs: { attestation: [attestation] },
    })
    expect([refused.status, refused.body.error]).toEqual([400, 'invalid_proof'])
    const issued = await hand.credential(made.credentialIssuer, token, {
      credential_configuration_id: 'pass',
      proofs: { attestation: [await keyAttestation(provider, { attestedKeys: [hand.jwk as JWK], nonce })] },
    })
    expect(issued.status).toBe(200)
    expect(payloadOf(issued.body.credentials[0].credential).cnf.jwk.x).toBe(hand.jwk.x)
  })
})
