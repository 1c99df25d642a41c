import { randomBytes } from 'node:crypto'
import { DevelopmentCa, subjectKeyIdentifier } from '@attesto/protocol-kit'
import { PostgresDatabase } from '@attesto/storage-service'
import { RoundRobinProxy } from '@attesto/test-servers'
import { DATABASE_URL, freePort } from '@attesto/testing'
import {
  Auth0MdocWallet,
  certifiedIssuer,
  HandBuiltWallet,
  handoverOf,
  MDL_DOCTYPE,
  MDL_NAMESPACE,
} from '@attesto/testing/wallets'
import { restCaller, ServiceProcess } from './support/serviceProcess.js'

// ISO mdoc presentations (OpenID4VP 1.0 Appendix B.2, HAIP 1.0 §5.3.1) to two verifier processes
// behind a round-robin balancer, on one schema of the real PostgreSQL: a wallet made of
// @auth0/mdl and jose holds an mdoc that an issuer certified by a development IACA signed, reads
// the x509_hash request object, and answers direct_post.jwt with a DeviceResponse device-signed
// over the session transcript it computes itself (client_id, nonce, the thumbprint of the
// request's response key, response_uri). Then each way an mdoc can be wrong, with its reason.

const QUERY = {
  credentials: [
    {
      id: 'licence',
      format: 'mso_mdoc',
      meta: { doctype_value: MDL_DOCTYPE },
      claims: [
        { path: [MDL_NAMESPACE, 'family_name'], intent_to_retain: false },
        { path: [MDL_NAMESPACE, 'age_over_18'] },
      ],
    },
  ],
}
const CLAIMS = {
  [MDL_NAMESPACE]: { family_name: 'Mustermann', given_name: 'Erika', birth_date: '1984-08-12', age_over_18: true },
}
const DISCLOSED = { [MDL_NAMESPACE]: ['family_name', 'age_over_18'] }
const DAY = 86_400_000

describe('mdoc presentations across two verifier instances', () => {
  const schema = `mdoc_verifier_${randomBytes(3).toString('hex')}`
  const adminApiKey = `admin-${randomBytes(16).toString('hex')}`
  const proxy = new RoundRobinProxy()
  const instances: ServiceProcess[] = []
  const requester = new HandBuiltWallet()
  let iaca: DevelopmentCa
  let wallet: Auth0MdocWallet
  let key = ''
  let verifierId = ''

  const call = (method: string, path: string, body?: unknown, apiKey = key) =>
    restCaller(proxy.url)(method, path, apiKey, body)

  beforeAll(async () => {
    await proxy.listen()
    const env = {
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      KMS_MASTER_KEY: randomBytes(32).toString('base64'),
      ADMIN_API_KEY: adminApiKey,
      PUBLIC_BASE_URL: proxy.url,
    }
    instances.push(
      ...(await Promise.all(
        [await freePort(), await freePort()].map((port) => new ServiceProcess('verifier', port, env).start()),
      )),
    )
    proxy.upstreams = instances.map((instance) => instance.url)
    key = (await call('POST', '/tenants', { label: 'Car rental' }, adminApiKey)).body.apiKey
    verifierId = (await call('POST', '/verifiers', {})).body.verifierId
    const verifierCa = await DevelopmentCa.create({ name: 'Relying Parties' })
    const csr = await call('POST', `/verifiers/${verifierId}/certificate-signing-request`, { commonName: 'Car rental' })
    expect(
      (await call('PUT', `/verifiers/${verifierId}/certificate`, { chain: await verifierCa.issue(csr.body.csr) }))
        .status,
    ).toBe(200)
    iaca = await DevelopmentCa.create({ name: 'Road Authority', country: 'NL' })
    expect((await call('PUT', '/trust-anchors/road-iaca', { certificate: iaca.root.toString('pem') })).status).toBe(200)
    wallet = new Auth0MdocWallet(await certifiedIssuer(iaca))
  }, 180_000)

  afterAll(async () => {
    for (const instance of instances) await instance.kill()
    await proxy.close()
    const admin = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await admin.close()
  })

  /** A new x509_hash request for the licence (or `query`), the request object as the wallet fetched it. */
  async function request(query: object = QUERY) {
    const created = await call('POST', '/presentation-requests', { verifierId, dcql: { query } })
    expect(created.status).toBe(201)
    return { requestId: created.body.requestId as string, request: await requester.fetchRequest(created.body.uri) }
  }

  /** Answers `request` (direct_post.jwt) with `deviceResponse` for the licence query. */
  async function answer(req: Awaited<ReturnType<typeof request>>['request'], deviceResponse: string) {
    return requester.respond(req, { vp_token: { licence: [deviceResponse] }, state: req.payload.state })
  }

  const result = async (requestId: string) => (await call('GET', `/presentation-requests/${requestId}`)).body

  it('verifies an mdoc presented by the @auth0/mdl wallet, naming the disclosed elements, certificate and IACA', async () => {
    const { requestId, request: req } = await request()
    expect(req.payload.client_id).toMatch(/^x509_hash:/)
    expect(req.payload.response_mode).toBe('direct_post.jwt')
    expect(req.payload.dcql_query).toEqual(QUERY)
    expect((req.payload.client_metadata as Record<string, any>).vp_formats_supported.mso_mdoc).toEqual({
      issuerauth_alg_values: [-7],
      deviceauth_alg_values: [-7],
    })
    const issued = await wallet.issue(CLAIMS)
    const answered = await answer(req, await wallet.present(issued, DISCLOSED, handoverOf(req)))
    expect(answered.status).toBe(200)
    const verified = await result(requestId)
    expect(verified).toMatchObject({
      status: 'verified',
      credentials: [
        {
          queryId: 'licence',
          format: 'mso_mdoc',
          docType: MDL_DOCTYPE,
          issuer: 'CN=Example University, O=Example University, C=NL',
          issuerCertificate: { anchor: { anchorId: 'road-iaca', subject: iaca.root.subject } },
          claims: { [MDL_NAMESPACE]: { family_name: 'Mustermann', age_over_18: true } },
        },
      ],
    })
    // Only what was disclosed: the given name and birth date stayed in the wallet.
    expect(Object.keys(verified.credentials[0].claims[MDL_NAMESPACE]).sort()).toEqual(['age_over_18', 'family_name'])
    // The request, its object and the response did not all land on one instance.
    expect(new Set(proxy.served.map((entry) => entry.upstream))).toEqual(new Set([0, 1]))
  }, 60_000)

  it('refuses a device signature over another request’s transcript, without the response key, or over the pre-1.0 draft handover', async () => {
    const issued = await wallet.issue(CLAIMS)
    const { requestId, request: req } = await request()
    const other = (await request()).request
    for (const handover of [
      handoverOf(other),
      { ...handoverOf(req), nonce: other.payload.nonce },
      { ...handoverOf(req), encryptionJwk: undefined },
      { ...handoverOf(req), responseUri: `${req.payload.response_uri}/elsewhere` },
      // The ISO/IEC 18013-7 Annex B handover of pre-1.0 drafts: not what an OpenID4VP 1.0 request gets.
      { draft: { ...handoverOf(req), mdocGeneratedNonce: randomBytes(16).toString('base64url') } },
    ]) {
      const refused = await answer(req, await wallet.present(issued, DISCLOSED, handover))
      expect([refused.status, refused.body.error]).toEqual([400, 'invalid_request'])
      expect(refused.body.error_description).toMatch(/^invalid_signature: The device signature does not verify/)
    }
    const open = await result(requestId)
    expect(open.status).toBe('pending')
    expect(open.refusedAttempts.map((attempt: any) => attempt.reason.code)).toEqual(Array(5).fill('invalid_signature'))
    // The honest answer still goes through.
    expect((await answer(req, await wallet.present(issued, DISCLOSED, handoverOf(req)))).status).toBe(200)
    expect((await result(requestId)).status).toBe('verified')
  }, 60_000)

  it('refuses a tampered data element (invalid_disclosure) and a document of another doctype', async () => {
    const { requestId, request: req } = await request()
    const honest = Buffer.from(
      await wallet.present(await wallet.issue(CLAIMS), DISCLOSED, handoverOf(req)),
      'base64url',
    )
    const at = honest.indexOf(Buffer.from('Mustermann'))
    expect(at).toBeGreaterThan(0)
    const tampered = Buffer.from(honest)
    tampered.write('Musterfrau', at)
    const refused = await answer(req, tampered.toString('base64url'))
    expect([refused.status, refused.body.error_description]).toEqual([
      400,
      expect.stringMatching(
        /^invalid_disclosure: The data element org\.iso\.18013\.5\.1\/family_name does not match its digest/,
      ),
    ])
    const pid = await wallet.issue(CLAIMS, { docType: 'eu.europa.ec.eudi.pid.1' })
    const wrongType = await answer(req, await wallet.present(pid, DISCLOSED, handoverOf(req)))
    expect(wrongType.body.error_description).toMatch(
      /^verification_failed: The mdoc is a 'eu\.europa\.ec\.eudi\.pid\.1'/,
    )
    expect((await result(requestId)).status).toBe('pending')
  }, 60_000)

  it('refuses what is not a DeviceResponse, and an SD-JWT VC where an mdoc is asked for', async () => {
    const { request: req } = await request()
    for (const [entry, pattern] of [
      ['not base64url!', /^verification_failed: An mdoc presentation is not a base64url DeviceResponse/],
      [
        Buffer.from('a0', 'hex').toString('base64url'),
        /^verification_failed: The mdoc presentation is not a DeviceResponse/,
      ],
      ['oWF4AQ', /^verification_failed/],
      ['eyJhbGciOiJFUzI1NiJ9.e30.sig~', /^verification_failed/],
    ] as const) {
      const refused = await answer(req, entry)
      expect([refused.status, refused.body.error_description]).toEqual([400, expect.stringMatching(pattern)])
    }
  }, 60_000)

  it('rejects an expired mdoc and one whose IACA the tenant does not trust', async () => {
    const expired = await request()
    const lapsed = await wallet.issue(CLAIMS, {
      validity: {
        signed: new Date(Date.now() - 10 * DAY),
        validFrom: new Date(Date.now() - 10 * DAY),
        validUntil: new Date(Date.now() - DAY),
      },
    })
    expect(
      (await answer(expired.request, await wallet.present(lapsed, DISCLOSED, handoverOf(expired.request)))).status,
    ).toBe(200)
    expect(await result(expired.requestId)).toMatchObject({
      status: 'rejected',
      reason: { code: 'verification_failed', detail: 'A credential has expired (the MSO validUntil)' },
    })

    const elsewhere = new Auth0MdocWallet(
      await certifiedIssuer(await DevelopmentCa.create({ name: 'Elsewhere', country: 'BE' })),
    )
    const untrusted = await request()
    const foreign = await elsewhere.issue(CLAIMS)
    expect(
      (await answer(untrusted.request, await elsewhere.present(foreign, DISCLOSED, handoverOf(untrusted.request))))
        .status,
    ).toBe(200)
    expect(await result(untrusted.requestId)).toMatchObject({
      status: 'rejected',
      reason: { code: 'untrusted_issuer' },
    })
  }, 60_000)

  it('honours DCQL trusted_authorities (aki) against the mdoc’s x5chain', async () => {
    const issued = await wallet.issue(CLAIMS)
    const withAuthority = (ca: DevelopmentCa) => ({
      credentials: [
        { ...QUERY.credentials[0], trusted_authorities: [{ type: 'aki', values: [subjectKeyIdentifier(ca.root)] }] },
      ],
    })
    const accepted = await request(withAuthority(iaca))
    expect(
      (await answer(accepted.request, await wallet.present(issued, DISCLOSED, handoverOf(accepted.request)))).status,
    ).toBe(200)
    expect((await result(accepted.requestId)).status).toBe('verified')
    const other = await request(withAuthority(await DevelopmentCa.create({ name: 'Other IACA', country: 'DE' })))
    expect(
      (await answer(other.request, await wallet.present(issued, DISCLOSED, handoverOf(other.request)))).status,
    ).toBe(200)
    expect(await result(other.requestId)).toMatchObject({ status: 'rejected', reason: { code: 'untrusted_authority' } })
  }, 60_000)

  it('refuses an mdoc that leaves out an element the query asks for', async () => {
    const { request: req } = await request()
    const partial = await wallet.present(
      await wallet.issue(CLAIMS),
      { [MDL_NAMESPACE]: ['family_name'] },
      handoverOf(req),
    )
    const refused = await answer(req, partial)
    expect(refused.body.error_description).toMatch(
      /^verification_failed: The presentation does not (satisfy|fit) the query/,
    )
  }, 60_000)
})
