import { createHash } from 'node:crypto'
import { DevelopmentCa } from '@attesto/protocol-kit'
import { startService, tenantWithVerifier, VCT } from '@attesto/testing'
import { HandBuiltWallet, type RequestObject } from '@attesto/testing/wallets'
import { Pkcs10CertificateRequest, SubjectAlternativeNameExtension, X509Certificate } from '@peculiar/x509'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'
import { DEGREE_QUERY } from './support/diplomaHolder.js'

// A verifier's X.509 identity (HAIP 1.0 §5, OID4VP 1.0 §5.9.3) through its REST API: a signing
// request made in the KMS, the chain a development CA returns checked on upload, then request
// objects signed with x5c under an x509_hash or x509_san_dns client identifier. The wallet is
// built by hand: it checks the client identifier against the x5c it gets, the chain up to the
// CA with @peculiar/x509 and the signature with jose (nothing of Attesto or Credo), and presents
// an SD-JWT VC. The service is named `localhost` in its public URL, a DNS name. Real PostgreSQL.

const fromX5c = (entry: string) => new X509Certificate(Buffer.from(entry, 'base64'))
const sanDnsNames = (certificate: X509Certificate) =>
  (certificate.getExtension(SubjectAlternativeNameExtension)?.names.items ?? [])
    .filter((name) => name.type === 'dns')
    .map((name) => name.value)

describe('verifier X.509 client identifiers', () => {
  let service: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  let ca: DevelopmentCa
  const wallet = new HandBuiltWallet()
  const credential = wallet.issue(VCT, { given_name: 'Ada', degree: 'MSc' })
  let key = ''
  let verifierId = ''
  const call = (...args: Parameters<typeof service.call>) => service.call(...args)
  const statusOf = async (requestId: string) =>
    (await call('GET', `/presentation-requests/${requestId}`, key)).body.status as string

  /** A signing request for the verifier's key (with `extra` SAN choices), signed by the CA and uploaded. */
  async function certify(extra: Record<string, unknown> = {}) {
    const csr = await call('POST', `/verifiers/${verifierId}/certificate-signing-request`, key, {
      commonName: 'Bank of Examples',
      ...extra,
    })
    expect(csr.status).toBe(200)
    const uploaded = await call('PUT', `/verifiers/${verifierId}/certificate`, key, {
      chain: await ca.issue(csr.body.csr),
    })
    expect(uploaded.status).toBe(200)
    return uploaded.body
  }

  /** A new request for the degree (`options`: client identifier prefix, request URI method). */
  async function create(options: Record<string, unknown> = {}) {
    const { status, body } = await call('POST', '/presentation-requests', key, {
      dcql: { query: DEGREE_QUERY },
      verifierId,
      ...options,
    })
    expect(status).toBe(201)
    return body as { requestId: string; uri: string; clientId: string }
  }

  /** What a wallet checks of an X.509 request before it trusts it: the chain up to the CA, and client_id in the URI equal to the signed one. */
  async function checkChain(uri: string, request: RequestObject) {
    expect(new URL(uri).searchParams.get('client_id')).toBe(request.payload.client_id)
    const chain = (request.header.x5c as string[]).map(fromX5c)
    expect(chain).toHaveLength(2) // the leaf and the issuing CA: never the trust anchor
    for (const [index, certificate] of chain.entries()) {
      const signer = chain[index + 1] ?? ca.root
      expect(certificate.issuer).toBe(signer.subject)
      expect(await certificate.verify({ publicKey: signer.publicKey, date: new Date() })).toBe(true)
    }
    expect(request.header.kid).toBeUndefined()
    return chain[0] as X509Certificate
  }

  /** Presents the degree to `request`; the key-binding audience is its client_id unless `aud` says otherwise. */
  const answer = (request: RequestObject, aud?: string) =>
    wallet.respond(request, {
      vp_token: {
        diploma: [wallet.present(request, credential, [credential.disclosures.degree as string], aud ? { aud } : {})],
      },
      state: request.payload.state,
    })

  beforeAll(async () => {
    ca = await DevelopmentCa.create({ name: 'Example National' })
    service = await startService('verifier', createVerifierApp, {}, { publicHost: 'localhost' })
    ;({ key, verifierId } = await tenantWithVerifier(service, 'Bank'))
    await call('PUT', `/trusted-issuers/${encodeURIComponent(wallet.issuerDid)}`, key, {})
  })
  afterAll(() => service?.close())

  it('makes a signing request for the verifier key naming its endpoints, and refuses a chain of another key', async () => {
    const answered = await call('POST', `/verifiers/${verifierId}/certificate-signing-request`, key, {
      commonName: 'Bank of Examples',
      country: 'NL',
    })
    expect(answered.status).toBe(200)
    const csr = new Pkcs10CertificateRequest(answered.body.csr)
    expect(await csr.verify()).toBe(true)
    expect(csr.subject).toBe('CN=Bank of Examples, C=NL')
    const extensions = JSON.stringify(csr.extensions.map((extension) => extension.toString('text')))
    expect(extensions).toContain(`/oid4vp/${verifierId}`)
    expect(extensions).toContain('localhost')
    // The request's key is the verifier's: its did:jwk carries the same public key.
    const did = (await call('GET', `/verifiers/${verifierId}`, key)).body.did as string
    const jwk = JSON.parse(Buffer.from(did.slice('did:jwk:'.length), 'base64url').toString())
    const exported = await crypto.subtle.exportKey('jwk', await csr.publicKey.export())
    expect({ x: exported.x, y: exported.y }).toEqual({ x: jwk.x, y: jwk.y })

    // The chain of another verifier's key (same tenant, same CA).
    const other = (await call('POST', '/verifiers', key, {})).body.verifierId
    const foreign = await call('POST', `/verifiers/${other}/certificate-signing-request`, key, { commonName: 'Other' })
    const refused = await call('PUT', `/verifiers/${verifierId}/certificate`, key, {
      chain: await ca.issue(foreign.body.csr),
    })
    expect([refused.status, refused.body.error.code]).toEqual([400, 'certificate_key_mismatch'])
    expect((await call('GET', `/verifiers/${verifierId}`, key)).body.certificate).toBeUndefined()
    // Without a certificate: DID requests, and X.509 prefixes refused.
    expect((await create()).clientId).toBe(`decentralized_identifier:${did}`)
    const x509 = await call('POST', '/presentation-requests', key, {
      verifierId,
      dcql: { query: DEGREE_QUERY },
      clientIdPrefix: 'x509_hash',
    })
    expect([x509.status, x509.body.error.code]).toEqual([400, 'verifier_certificate_missing'])
  })

  it('signs requests with x5c under x509_hash, the leaf hash, and verifies the presentation', async () => {
    const certificate = await certify({ dnsNames: ['verifier.example'] })
    expect(certificate).toMatchObject({
      subject: 'CN=Bank of Examples',
      dnsNames: ['verifier.example'],
      chainLength: 2,
    })
    expect((await call('GET', `/verifiers/${verifierId}`, key)).body.certificate).toEqual(certificate)

    const { requestId, uri, clientId } = await create()
    const request = await wallet.fetchRequest(uri)
    const leaf = await checkChain(uri, request)
    const leafHash = createHash('sha256').update(Buffer.from(leaf.rawData)).digest('base64url')
    expect(clientId).toBe(`x509_hash:${leafHash}`)
    expect(request.payload).toMatchObject({ client_id: clientId, aud: 'https://self-issued.me/v2' })
    expect(request.header).toMatchObject({ typ: 'oauth-authz-req+jwt', alg: 'ES256' })

    // The key-binding proof must name this client identifier: the DID one is another verifier's.
    const did = (await call('GET', `/verifiers/${verifierId}`, key)).body.did
    const misaddressed = await answer(request, `decentralized_identifier:${did}`)
    expect(misaddressed.body.error_description).toMatch(/^audience_mismatch/)
    expect((await answer(request)).status).toBe(200)
    const decided = (await call('GET', `/presentation-requests/${requestId}`, key)).body
    expect([decided.status, decided.credentials[0].claims]).toEqual(['verified', { degree: 'MSc' }])
  })

  it('refuses x509_san_dns for a host the certificate does not name, and serves it once a renewal names it', async () => {
    const before = await create() // x509_hash of the certificate about to be replaced
    const refused = await call('POST', '/presentation-requests', key, {
      verifierId,
      dcql: { query: DEGREE_QUERY },
      clientIdPrefix: 'x509_san_dns',
    })
    expect([refused.status, refused.body.error.code]).toEqual([400, 'client_id_not_in_certificate'])

    await certify() // the default SAN: the host of the public URL, localhost
    const { requestId, uri, clientId } = await create({ clientIdPrefix: 'x509_san_dns' })
    expect(clientId).toBe('x509_san_dns:localhost')
    const request = await wallet.fetchRequest(uri)
    const leaf = await checkChain(uri, request)
    expect(sanDnsNames(leaf)).toContain('localhost')
    expect(new URL(request.payload.response_uri).hostname).toBe('localhost')
    expect((await answer(request)).status).toBe(200)
    expect(await statusOf(requestId)).toBe('verified')

    // A request made under the replaced certificate cannot be signed for any more.
    await expect(wallet.fetchRequest(before.uri)).rejects.toThrow(/400.*certificate changed/)
  })

  it('offers request_uri_method=post: the wallet posts its metadata and nonce, and gets them back', async () => {
    const { requestId, uri, clientId } = await create({ requestUriMethod: 'post' })
    expect(new URL(uri).searchParams.get('request_uri_method')).toBe('post')
    const metadata = {
      issuer: 'https://wallet.example',
      vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] } },
      client_id_prefixes_supported: ['x509_hash', 'decentralized_identifier'],
      request_object_signing_alg_values_supported: ['ES256'],
    }
    const request = await wallet.fetchRequest(uri, {
      wallet_metadata: JSON.stringify(metadata),
      wallet_nonce: 'qPmxiNFCR3QTm19POc8u',
      unknown_parameter: 'ignored',
    })
    await checkChain(uri, request)
    // Dynamic discovery (§5.8): the audience is the wallet's issuer.
    expect(request.payload).toMatchObject({
      client_id: clientId,
      wallet_nonce: 'qPmxiNFCR3QTm19POc8u',
      aud: metadata.issuer,
    })
    // A wallet without post support still fetches it with GET.
    expect((await wallet.fetchRequest(uri)).payload.wallet_nonce).toBeUndefined()
    expect((await answer(request)).status).toBe(200)
    expect(await statusOf(requestId)).toBe('verified')
  })

  it('refuses a malformed or unanswerable POST to the request URI, OAuth-shaped', async () => {
    const { uri } = await create({ requestUriMethod: 'post' })
    const requestUri = new URL(uri).searchParams.get('request_uri') as string
    const post = async (body: string, contentType = 'application/x-www-form-urlencoded') => {
      const response = await fetch(requestUri, { method: 'POST', headers: { 'content-type': contentType }, body })
      return { status: response.status, body: (await response.json()) as Record<string, string> }
    }
    const form = (values: Record<string, string>) => new URLSearchParams(values).toString()
    for (const [body, error] of [
      [form({ wallet_metadata: 'not json' }), 'invalid_request'],
      [form({ wallet_metadata: '[1]' }), 'invalid_request'],
      [form({ wallet_metadata: JSON.stringify({ issuer: 'not a url' }) }), 'invalid_request'],
      [
        form({ wallet_metadata: JSON.stringify({ client_id_prefixes_supported: ['x509_san_dns'] }) }),
        'invalid_request',
      ],
      [
        form({ wallet_metadata: JSON.stringify({ request_object_signing_alg_values_supported: ['EdDSA'] }) }),
        'invalid_request',
      ],
      [
        form({ wallet_metadata: JSON.stringify({ vp_formats_supported: { mso_mdoc: {} } }) }),
        'vp_formats_not_supported',
      ],
      [
        form({ wallet_metadata: JSON.stringify({ authorization_encryption_enc_values_supported: ['A192GCM'] }) }),
        'invalid_request',
      ],
      [form({ wallet_nonce: 'with space' }), 'invalid_request'],
      [form({ wallet_nonce: 'x'.repeat(257) }), 'invalid_request'],
    ] as const) {
      expect({ sent: body, ...(await post(body)) }).toMatchObject({ sent: body, status: 400, body: { error } })
    }
    expect((await post('{}', 'application/json')).status).toBe(415)
    // A request that did not offer post is fetched with GET only.
    const plain = new URL((await create()).uri).searchParams.get('request_uri') as string
    const refused = await fetch(plain, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(refused.status).toBe(400)
    expect(await refused.json()).toMatchObject({ error: 'invalid_request' })
  })

  it('goes back to the DID once the certificate is removed', async () => {
    expect((await call('DELETE', `/verifiers/${verifierId}/certificate`, key)).status).toBe(204)
    expect((await call('GET', `/verifiers/${verifierId}`, key)).body.certificate).toBeUndefined()
    const { uri, clientId } = await create()
    expect(clientId).toMatch(/^decentralized_identifier:did:jwk:/)
    expect((await wallet.fetchRequest(uri)).header.kid).toMatch(/^did:jwk:.*#0$/)
    expect((await call('DELETE', '/verifiers/no-such-verifier/certificate', key)).status).toBe(404)
  })
})
