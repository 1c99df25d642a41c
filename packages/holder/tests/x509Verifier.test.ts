import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { certificateSha256, DevelopmentCa } from '@attesto/protocol-kit'
import { SignJWT } from 'jose'
import { HolderWallet, type HolderWalletError, type OpenHolderWalletOptions } from '../src/index.js'
import { certifiedKey } from './support/certifiedKey.js'

// A verifier built by hand from jose and @peculiar/x509 (no Attesto or Credo code on its side):
// it serves OID4VP 1.0 request objects signed under an X.509 chain with an `x509_hash` client
// identifier (HAIP 1.0 §5), and records what the wallet posts to its response endpoint. The
// wallet shows who asks, judges the chain by its trust policy, and declines with access_denied.

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a HolderWalletError')
    },
    (error: HolderWalletError) => error,
  )

describe('a verifier identified by an X.509 certificate (x509_hash)', () => {
  let server: Server
  let base = ''
  let ca: DevelopmentCa
  let bank: Awaited<ReturnType<typeof certifiedKey>>
  const objects = new Map<string, string>()
  const posted: Record<string, string>[] = []
  const wallets: HolderWallet[] = []

  const open = async (options: Partial<OpenHolderWalletOptions>) => {
    const wallet = await HolderWallet.open({
      inMemory: true,
      passphrase: 'x509 verifier test',
      allowInsecureHttp: true,
      ...options,
    })
    wallets.push(wallet)
    return wallet
  }

  /** An `openid4vp://` URI whose request object is signed by `signer` and carries `x5c`. */
  async function requestUri(x5c = bank.x5c, signer = bank.keys.privateKey) {
    const clientId = `x509_hash:${await certificateSha256(bank.leaf)}`
    const id = randomBytes(8).toString('hex')
    const jwt = await new SignJWT({
      client_id: clientId,
      response_type: 'vp_token',
      response_mode: 'direct_post',
      response_uri: `${base}/response`,
      nonce: randomBytes(16).toString('base64url'),
      state: `state-${id}`,
      dcql_query: {
        credentials: [
          {
            id: 'pid',
            format: 'dc+sd-jwt',
            meta: { vct_values: ['urn:eudi:pid:1'] },
            claims: [{ path: ['given_name'] }],
          },
        ],
      },
      client_metadata: {
        client_name: 'Example Bank',
        'client_name#nl': 'Voorbeeldbank',
        logo_uri: 'https://bank.example/logo.png',
        vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] } },
      },
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'oauth-authz-req+jwt', x5c })
      .setAudience('https://self-issued.me/v2')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(signer)
    objects.set(id, jwt)
    const query = new URLSearchParams({ client_id: clientId, request_uri: `${base}/request/${id}` })
    return { uri: `openid4vp://?${query}`, state: `state-${id}`, clientId }
  }

  beforeAll(async () => {
    ca = await DevelopmentCa.create({ name: 'Example Banks' })
    bank = await certifiedKey(ca, 'Example Bank')
    server = createServer((request, response) => {
      const id = request.url?.startsWith('/request/') ? request.url.slice('/request/'.length) : undefined
      if (request.method === 'GET' && id && objects.has(id)) {
        response.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' }).end(objects.get(id))
        return
      }
      let body = ''
      request.on('data', (chunk) => (body += chunk))
      request.on('end', () => {
        posted.push(Object.fromEntries(new URLSearchParams(body)))
        response.writeHead(200, { 'content-type': 'application/json' })
        response.end(JSON.stringify({ redirect_uri: 'https://bank.example/done#response_code=abc' }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterEach(async () => {
    for (const wallet of wallets.splice(0)) await wallet.close()
  })
  afterAll(() => new Promise((resolve) => server.close(resolve)))

  it('shows who asks (certificate chain, name, logo) and declines with access_denied, under ask', async () => {
    const wallet = await open({ trust: { untrusted: 'ask' } })
    const { uri, state, clientId } = await requestUri()
    const resolved = await wallet.resolvePresentationRequest(uri)
    expect(resolved.verifier).toEqual({
      clientId,
      clientIdPrefix: 'x509_hash',
      names: [{ name: 'Example Bank' }, { locale: 'nl', name: 'Voorbeeldbank' }],
      logo: { uri: 'https://bank.example/logo.png' },
      certificateChain: [
        expect.objectContaining({ subject: 'CN=Example Bank', issuer: 'CN=Example Banks Issuing CA' }),
        expect.objectContaining({ subject: 'CN=Example Banks Issuing CA' }),
      ],
      responseUri: `${base}/response`,
      trust: expect.objectContaining({ trusted: false, code: 'no_trusted_anchor' }),
    })
    expect(resolved).toMatchObject({ satisfiable: false, queries: [{ id: 'pid', candidates: [] }] })
    expect((await rejection(wallet.acceptPresentationRequest(resolved))).code).toBe('untrusted_verifier')

    const answer = await wallet.declinePresentationRequest(resolved)
    expect(answer).toEqual({ redirectUri: 'https://bank.example/done#response_code=abc' })
    expect(posted.at(-1)).toEqual({ error: 'access_denied', state })
  }, 120_000)

  it('refuses it under refuse, and trusts it when its CA is an anchor', async () => {
    const wary = await open({})
    const refused = await rejection(wary.resolvePresentationRequest((await requestUri()).uri))
    expect(refused).toMatchObject({
      code: 'untrusted_verifier',
      details: { verifier: { clientIdPrefix: 'x509_hash' } },
    })
    const trusting = await open({ trust: { verifiers: { certificates: [ca.rootBase64()] } } })
    const resolved = await trusting.resolvePresentationRequest((await requestUri()).uri)
    expect(resolved.verifier.trust).toMatchObject({
      trusted: true,
      basis: 'x509_anchor',
      certificate: { anchor: { subject: 'CN=Example Banks Root CA' } },
    })
  }, 120_000)

  it('still checks the signature and the chain of an untrusted verifier', async () => {
    const wallet = await open({ trust: { untrusted: 'ask' } })
    const stranger = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign'])
    const forged = await rejection(
      wallet.resolvePresentationRequest((await requestUri(bank.x5c, stranger.privateKey)).uri),
    )
    expect(forged.code).toBe('invalid_request')
    const other = await certifiedKey(await DevelopmentCa.create({ name: 'Other' }), 'Other')
    const unlinked = await rejection(
      wallet.resolvePresentationRequest((await requestUri([bank.x5c[0] as string, other.x5c[1] as string])).uri),
    )
    expect(unlinked.code).toBe('invalid_request')
  }, 120_000)
})
