import { randomBytes } from 'node:crypto'
import { DevelopmentCa } from '@attesto/protocol-kit'
import { type FuzzedEndpoint, fuzzEndpoints, REDIS_URL, startService, webhookEndpoints } from '@attesto/testing'
import type { JWK } from 'jose'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { externalServerIssuer } from './support/externalTokens.js'
import { HandWallet, parseOffer } from './support/HandWallet.js'
import { tenantWithIssuer } from './support/issuerFixture.js'
import { keyAttestation, WalletProviderCa } from './support/keyAttestations.js'
import { DOCTYPE, MDL_CLAIMS, MDL_CONFIGURATION, mdocIssuer } from './support/mdocFixture.js'
import { ath, attestationPop, SenderKey, walletAttestation } from './support/senderKeys.js'

// Every endpoint of the issuer, REST and OID4VCI, with fuzzed bodies, path parameters, query
// strings and headers (fast-check, fixed seed): no answer is a 5xx; mso_mdoc configurations and
// offers of mdoc claims included. Real PostgreSQL and Redis.

describe('issuer fuzz', () => {
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>
  let key = ''
  let issuerId = ''
  let offerId = ''
  /** A second tenant's issuer with a document-signer certificate and an mso_mdoc configuration `mdl`. */
  let mdoc = { key: '', issuerId: '' }
  /** An access token whose credential is not issued (proofs are checked) and one whose is (notifications are taken). */
  let openToken = ''
  let issuedToken = ''
  let notificationId = ''

  /** A redeemed offer's credential issuer and access token. */
  async function redeemed(wallet: HandWallet) {
    const made = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'card',
      claims: { name: 'A' },
    })
    const { credentialIssuer, code } = parseOffer(made.body.uri)
    return { credentialIssuer, token: (await wallet.redeem(credentialIssuer, code)).body.access_token as string }
  }

  beforeAll(async () => {
    service = await startService('issuer', createIssuerApp, {
      REDIS_URL,
      QUEUE_PREFIX: `test${randomBytes(4).toString('hex')}`,
    })
    ;({ key, issuerId } = await tenantWithIssuer(service, {
      label: 'Fuzz',
      configurationId: 'card',
      vct: 'urn:attesto:test:card',
      claims: [
        { name: 'name', type: 'string', required: true },
        { name: 'born', type: 'date' },
      ],
    }))
    offerId = (
      await service.call('POST', '/offers', key, { issuerId, credentialConfigurationId: 'card', claims: { name: 'A' } })
    ).body.offerId
    mdoc = await mdocIssuer(service, await DevelopmentCa.create({ name: 'Fuzz', country: 'NL' }))
    await service.call('PATCH', `/issuers/${issuerId}`, key, { batchSize: 10 })
    const wallet = new HandWallet()
    openToken = (await redeemed(wallet)).token
    const issued = await redeemed(wallet)
    issuedToken = issued.token
    const nonce = await wallet.nonce(issued.credentialIssuer)
    notificationId = (
      await wallet.credential(issued.credentialIssuer, issuedToken, {
        credential_configuration_id: 'card',
        proofs: { jwt: [wallet.proof(issued.credentialIssuer, nonce)] },
      })
    ).body.notification_id
  }, 60_000)
  afterAll(async () => {
    await service?.close()
  })

  it('answers no fuzzed request with a 5xx', async () => {
    const bearer = `Bearer ${key}`
    const admin = `Bearer ${service.adminApiKey}`
    const values = { issuerId, offerId, id: 'card', batchId: offerId, webhookId: offerId, deliveryId: offerId }
    const offer = { issuerId, credentialConfigurationId: 'card', claims: { name: 'A', born: '2000-01-01' } }
    // A batch of proofs as a wallet sends them (valid keys, a nonce of this issuer), for the fuzz to alter.
    const proofWallet = new HandWallet()
    const credentialIssuer = `${service.http.url}/oid4vci/${issuerId}`
    const nonce = await proofWallet.nonce(credentialIssuer)
    const proofs = Array.from({ length: 3 }, () => new HandWallet().proof(credentialIssuer, nonce))
    // The authorization code flow, with a provider (unreachable: discovery fails) and a claims source.
    const identityProvider = {
      issuer: 'https://login.example',
      clientId: 'attesto',
      clientAuth: { method: 'client_secret_basic', clientSecret: 'a-long-client-secret-value' },
      claimsSources: { '*': { type: 'id_token', mapping: { name: 'name' } } },
    }
    await service.call('PUT', '/identity-provider', key, identityProvider)
    // DPoP proofs and a wallet attestation as a wallet sends them, for the fuzz to alter or drop.
    const sender = new SenderKey()
    const provider = new SenderKey()
    await service.call('PUT', '/wallet-providers/fuzz', key, { jwk: provider.jwk })
    const dpopNonce = (await fetch(`${credentialIssuer}/nonce`, { method: 'POST' })).headers.get('dpop-nonce') as string
    const dpopToken = (
      await fetch(`${credentialIssuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          dpop: sender.dpop({ htm: 'POST', htu: `${credentialIssuer}/token`, nonce: dpopNonce }),
        },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
          'pre-authorized_code': parseOffer(
            (
              await service.call('POST', '/offers', key, {
                issuerId,
                credentialConfigurationId: 'card',
                claims: { name: 'A' },
              })
            ).body.uri,
          ).code,
        }),
      }).then((response) => response.json() as Promise<{ access_token: string }>)
    ).access_token
    const resourceProof = (endpoint: string) =>
      sender.dpop({ htm: 'POST', htu: `${credentialIssuer}/${endpoint}`, nonce: dpopNonce, ath: ath(dpopToken) })
    // Key attestations (x5c to a trusted wallet provider CA) as a wallet sends them: the attestation
    // proof type, and a jwt proof carrying one in its header; a draft 13 mdoc request by doctype.
    const keyProvider = await WalletProviderCa.create('Fuzz Wallet')
    await service.call('PUT', '/wallet-providers/fuzz-ca', key, { certificate: keyProvider.rootBase64() })
    const attestedWallets = [new HandWallet(), new HandWallet()]
    const attestation = await keyAttestation(keyProvider, {
      attestedKeys: attestedWallets.map((entry) => entry.jwk as JWK),
      keyStorage: ['iso_18045_high'],
      userAuthentication: ['iso_18045_moderate'],
      nonce,
    })
    const attestedProof = attestedWallets[0]?.proof(credentialIssuer, nonce, {
      header: { key_attestation: attestation },
    }) as string
    const mdocIssuerUrl = `${service.http.url}/oid4vci/${mdoc.issuerId}`
    const mdocCode = parseOffer(
      (
        await service.call('POST', '/offers', mdoc.key, {
          issuerId: mdoc.issuerId,
          credentialConfigurationId: 'mdl',
          claims: MDL_CLAIMS,
        })
      ).body.uri,
    ).code
    const mdocToken = (await proofWallet.redeem(mdocIssuerUrl, mdocCode)).body.access_token as string
    const mdocProof = proofWallet.proof(mdocIssuerUrl, await proofWallet.nonce(mdocIssuerUrl))
    const attestationHeaders = {
      dpop: sender.dpop({ htm: 'POST', htu: `${credentialIssuer}/token`, nonce: dpopNonce }),
      'oauth-client-attestation': walletAttestation(provider, sender),
      'oauth-client-attestation-pop': attestationPop(sender, credentialIssuer),
    }
    // An issuer with an external authorization server (keys given) and one of its access tokens.
    const external = await externalServerIssuer(service, key)
    const externalServer = {
      issuer: 'https://login.fuzz.example',
      jwksUri: 'https://login.fuzz.example/certs',
      audience: 'https://issuer.example',
      ownAuthorizationServer: true,
      claimsSources: { '*': { type: 'access_token', mapping: { name: 'name' } } },
    }
    const endpoints: FuzzedEndpoint[] = [
      {
        method: 'PUT',
        path: '/issuers/:issuerId/authorization-server',
        bearer,
        values: { issuerId: external.fuzzedIssuerId },
        example: externalServer,
      },
      { method: 'GET', path: '/issuers/:issuerId/authorization-server', bearer, values },
      { method: 'DELETE', path: '/issuers/:issuerId/authorization-server', bearer, values },
      {
        method: 'POST',
        path: '/oid4vci/:issuerId/credential',
        bearer: `Bearer ${external.token}`,
        values: { issuerId: external.issuerId },
        example: { credential_configuration_id: 'card', proofs: { jwt: proofs } },
      },
      { method: 'POST', path: '/tenants', bearer: admin, example: { label: 'x' } },
      { method: 'GET', path: '/admin/queues', bearer: admin },
      { method: 'GET', path: '/health' },
      { method: 'GET', path: '/ready' },
      { method: 'GET', path: '/openapi.json' },
      { method: 'POST', path: '/issuers', bearer, example: { keyType: 'P-256' } },
      { method: 'GET', path: '/issuers/:issuerId', bearer, values },
      { method: 'PATCH', path: '/issuers/:issuerId', bearer, values, example: { batchSize: 10, dpop: 'optional' } },
      { method: 'PUT', path: '/wallet-providers/:id', bearer, values, example: { jwk: provider.jwk, label: 'x' } },
      { method: 'GET', path: '/wallet-providers/:id', bearer, values: { id: 'fuzz' } },
      { method: 'GET', path: '/wallet-providers', bearer },
      {
        method: 'PUT',
        path: '/issuers/:issuerId/credential-configurations/:id',
        bearer,
        values,
        example: {
          vct: 'urn:x',
          claims: [{ name: 'name', type: 'string' }],
          keyAttestationsRequired: { keyStorage: ['iso_18045_high'], userAuthentication: ['iso_18045_basic'] },
        },
      },
      {
        method: 'POST',
        path: '/issuers/:issuerId/certificate-signing-request',
        bearer,
        values,
        example: { commonName: 'University', organization: 'University', country: 'NL', dnsNames: ['issuer.example'] },
      },
      {
        method: 'PUT',
        path: '/issuers/:issuerId/certificate',
        bearer,
        values,
        example: { chain: ['MIIBqjCCAVCgAwIBAgINAKlwCgS59acnLwRvmTAKBggqhkjOPQQDAjAjMSEwHwYDVQQDExhF'] },
      },
      { method: 'DELETE', path: '/issuers/:issuerId/certificate', bearer, values },
      { method: 'POST', path: '/offers', bearer, example: offer },
      {
        method: 'PUT',
        path: '/issuers/:mdocIssuerId/credential-configurations/:id',
        bearer: `Bearer ${mdoc.key}`,
        values: { mdocIssuerId: mdoc.issuerId, id: 'mdl' },
        example: MDL_CONFIGURATION,
      },
      {
        method: 'POST',
        path: '/offers',
        bearer: `Bearer ${mdoc.key}`,
        example: { issuerId: mdoc.issuerId, credentialConfigurationId: 'mdl', claims: MDL_CLAIMS },
      },
      { method: 'GET', path: '/offers/:offerId', bearer, values },
      { method: 'PUT', path: '/offers/:offerId/claims', bearer, values, example: { claims: { name: 'A' } } },
      { method: 'POST', path: '/offer-batches', bearer, example: { ...offer, rows: [{ name: 'A' }] } },
      { method: 'GET', path: '/offer-batches/:batchId', bearer, values },
      { method: 'GET', path: '/offer-batches/:batchId/results', bearer, values },
      ...webhookEndpoints(bearer, values, 'credential.issued'),
      { method: 'GET', path: '/.well-known/openid-credential-issuer/oid4vci/:issuerId', values },
      { method: 'GET', path: '/.well-known/oauth-authorization-server/oid4vci/:issuerId', values },
      { method: 'GET', path: '/oid4vci/:issuerId/.well-known/openid-credential-issuer', values },
      { method: 'POST', path: '/oid4vci/:issuerId/token', values, example: { grant_type: 'refresh_token' } },
      {
        method: 'POST',
        path: '/oid4vci/:issuerId/token',
        values,
        example: { grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': 'x' },
        headers: attestationHeaders,
      },
      {
        method: 'POST',
        path: '/oid4vci/:issuerId/credential',
        bearer: `DPoP ${dpopToken}`,
        values,
        example: { credential_configuration_id: 'card', proofs: { jwt: proofs } },
        headers: { dpop: resourceProof('credential') },
      },
      {
        method: 'POST',
        path: '/oid4vci/:issuerId/notification',
        bearer: `DPoP ${dpopToken}`,
        values,
        example: { notification_id: 'x', event: 'credential_failure' },
        headers: { dpop: resourceProof('notification') },
      },
      { method: 'POST', path: '/oid4vci/:issuerId/nonce', values },
      { method: 'PUT', path: '/identity-provider', bearer, example: identityProvider },
      { method: 'GET', path: '/identity-provider', bearer },
      {
        method: 'POST',
        path: '/oid4vci/:issuerId/par',
        values,
        example: {
          client_id: 'wallet',
          response_type: 'code',
          redirect_uri: 'https://wallet.example/cb',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
          scope: 'card',
        },
      },
      { method: 'GET', path: '/oid4vci/:issuerId/authorize', values },
      { method: 'GET', path: '/oid4vci/:issuerId/authorize/callback', values },
      {
        method: 'POST',
        path: '/oid4vci/:issuerId/token',
        values,
        example: { grant_type: 'authorization_code', code: 'x', code_verifier: 'y', client_id: 'w', redirect_uri: 'z' },
      },
      {
        method: 'POST',
        path: '/oid4vci/:issuerId/credential',
        bearer: 'Bearer x.y.z',
        values,
        example: { proofs: {} },
      },
      {
        method: 'POST',
        path: '/oid4vci/:issuerId/credential',
        bearer: `Bearer ${openToken}`,
        values,
        example: { credential_configuration_id: 'card', proofs: { jwt: proofs } },
      },
      {
        method: 'POST',
        path: '/oid4vci/:issuerId/credential',
        bearer: `Bearer ${openToken}`,
        values,
        example: { credential_configuration_id: 'card', proofs: { attestation: [attestation] } },
      },
      {
        method: 'POST',
        path: '/oid4vci/:issuerId/credential',
        bearer: `Bearer ${openToken}`,
        values,
        example: { credential_configuration_id: 'card', proofs: { jwt: [attestedProof] } },
      },
      {
        method: 'POST',
        path: '/oid4vci/:mdocIssuerId/credential',
        bearer: `Bearer ${mdocToken}`,
        values: { mdocIssuerId: mdoc.issuerId },
        example: { format: 'mso_mdoc', doctype: DOCTYPE, proof: { proof_type: 'jwt', jwt: mdocProof } },
      },
      { method: 'POST', path: '/oid4vci/:issuerId/deferred-credential', values, example: { transaction_id: 'x' } },
      {
        method: 'POST',
        path: '/oid4vci/:issuerId/notification',
        bearer: `Bearer ${issuedToken}`,
        values,
        example: { notification_id: notificationId, event: 'credential_failure', event_description: 'Not stored' },
      },
      { method: 'GET', path: '/no/such/:path', values },
    ]
    const failures = await fuzzEndpoints(service.http.url, endpoints, 40)
    expect(failures).toEqual([])
  }, 120_000)

  it('answers the protocol endpoints’ malformed input with 4xx and stable codes', async () => {
    const wallet = new HandWallet()
    const made = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'card',
      claims: { name: 'A' },
    })
    const { credentialIssuer, code } = parseOffer(made.body.uri)
    const issuer = credentialIssuer.replace(/^https?:\/\/[^/]+/, service.http.url)
    const post = async (path: string, contentType: string, body: string, bearer?: string) => {
      const response = await fetch(`${issuer}${path}`, {
        method: 'POST',
        headers: { 'content-type': contentType, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
        body,
      })
      return { status: response.status, body: (await response.json()) as { error?: string } }
    }
    const grant = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'

    expect(
      await post('/token', 'application/x-www-form-urlencoded', `grant_type=${'x'.repeat(2 * 1024 * 1024)}`),
    ).toEqual({
      status: 413,
      body: expect.objectContaining({ error: 'invalid_request' }),
    })
    const nul = await wallet.token(issuer, { grant_type: grant, 'pre-authorized_code': `${code}\u0000` })
    expect([nul.status, nul.body.error]).toEqual([400, 'invalid_request'])
    const token = await wallet.redeem(issuer, code)
    expect(token.status).toBe(200)
    const accessToken = token.body.access_token as string

    expect(await post('/credential', 'application/json', '{"proofs":', accessToken)).toEqual({
      status: 400,
      body: expect.objectContaining({ error: 'invalid_request' }),
    })
    const nonce = await wallet.nonce(issuer)
    const request = (jwt: string) => ({ credential_configuration_id: 'card', proofs: { jwt: [jwt] } })
    const none = wallet.proof(credentialIssuer, nonce, { header: { alg: 'none' } }).replace(/[^.]+$/, '')
    const algNone = await wallet.credential(issuer, accessToken, request(none))
    expect([algNone.status, algNone.body.error]).toEqual([400, 'invalid_proof'])
    const bigHeader = wallet.proof(credentialIssuer, nonce, { header: { x: 'x'.repeat(90 * 1024) } })
    const big = await post('/credential', 'application/json', JSON.stringify(request(bigHeader)), accessToken)
    expect(big.status).toBeGreaterThanOrEqual(400)
    expect(big.status).toBeLessThan(500)
    expect(big.body.error).toBe('invalid_request')

    const issued = await wallet.credential(issuer, accessToken, request(wallet.proof(credentialIssuer, nonce)))
    expect(issued.status).toBe(200)
    const reused = await wallet.credential(
      issuer,
      accessToken,
      request(wallet.proof(credentialIssuer, await wallet.nonce(issuer))),
    )
    expect([reused.status, reused.body.error]).toEqual([400, 'credential_request_denied'])
    const reusedCode = await wallet.redeem(issuer, code)
    expect([reusedCode.status, reusedCode.body.error]).toEqual([400, 'invalid_grant'])
  }, 60_000)
})
