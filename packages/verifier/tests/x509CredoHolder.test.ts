import { DevelopmentCa } from '@attesto/protocol-kit'
import { holderAgent, startIssuer, startService } from '@attesto/testing'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'
import { DEGREE_QUERY, issueDiplomaTo } from './support/diplomaHolder.js'

// Credo's own wallet (OpenId4VcHolder of @credo-ts/openid4vc) against a verifier with an X.509
// identity: it resolves x509_hash and x509_san_dns requests (checking the client identifier
// against the x5c leaf and the chain against the CA it is given), also when fetched with
// request_uri_method=post, and presents a diploma its Credo issuer gave it. A wallet that does
// not trust the CA refuses the request. Real PostgreSQL; the verifier is `localhost` in its URLs.

describe("Credo's holder against X.509 client identifiers", () => {
  let verifier: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  let issuer: Awaited<ReturnType<typeof startIssuer>>
  let wallet: Awaited<ReturnType<typeof holderAgent>>
  let ca: DevelopmentCa
  let key = ''
  let verifierId = ''
  const call = (...args: Parameters<typeof verifier.call>) => verifier.call(...args)

  beforeAll(async () => {
    verifier = await startService('verifier', createVerifierApp, {}, { publicHost: 'localhost' })
    issuer = await startIssuer()
    wallet = await holderAgent()
    ca = await DevelopmentCa.create({ name: 'Example National' })
    const offer = await issueDiplomaTo(wallet, issuer.runtime.agent.context, { given_name: 'Ada', degree: 'MSc' })
    key = (await call('POST', '/tenants', verifier.adminApiKey, { label: 'Bank' })).body.apiKey
    verifierId = (await call('POST', '/verifiers', key, {})).body.verifierId
    await call('PUT', `/trusted-issuers/${encodeURIComponent(offer.issuerDid)}`, key, {})
    const csr = await call('POST', `/verifiers/${verifierId}/certificate-signing-request`, key, {
      commonName: 'Bank of Examples',
    })
    const chain = await ca.issue(csr.body.csr)
    expect((await call('PUT', `/verifiers/${verifierId}/certificate`, key, { chain })).status).toBe(200)
  })
  afterAll(async () => {
    await wallet?.close()
    await issuer?.close()
    await verifier?.close()
  })

  /** Credo's holder resolves the request trusting `trusted`, and presents the degree. */
  async function presentWithCredo(extra: Record<string, unknown>, trusted = [ca.rootBase64()]) {
    const created = await call('POST', '/presentation-requests', key, {
      verifierId,
      dcql: { query: DEGREE_QUERY },
      ...extra,
    })
    expect(created.status).toBe(201)
    const holder = wallet.agent.openid4vc.holder
    const resolved = await holder.resolveOpenId4VpAuthorizationRequest(created.body.uri, {
      trustedCertificates: trusted,
    })
    const accepted = await holder.acceptOpenId4VpAuthorizationRequest({
      authorizationRequestPayload: resolved.authorizationRequestPayload,
      dcql: { credentials: holder.selectCredentialsForDcqlRequest(resolved.dcql?.queryResult as never) },
    })
    const result = (await call('GET', `/presentation-requests/${created.body.requestId}`, key)).body
    return { created: created.body, resolved, accepted, result }
  }

  it('resolves an x509_hash request with the CA as trusted certificate, presents, and is verified', async () => {
    const { created, resolved, accepted, result } = await presentWithCredo({})
    expect(created.clientId).toMatch(/^x509_hash:[A-Za-z0-9_-]{43}$/)
    expect(resolved.verifier).toEqual({ clientIdPrefix: 'x509_hash', effectiveClientId: created.clientId })
    expect(resolved.signedAuthorizationRequest?.signer.method).toBe('x5c')
    expect(accepted.serverResponse?.status).toBe(200)
    expect(result).toMatchObject({ status: 'verified', credentials: [{ claims: { degree: 'MSc' } }] })
  })

  it('resolves x509_san_dns (the response URI on the named host), also fetched with request_uri_method=post', async () => {
    const { created, resolved, result } = await presentWithCredo({
      clientIdPrefix: 'x509_san_dns',
      requestUriMethod: 'post',
    })
    expect(created.clientId).toBe('x509_san_dns:localhost')
    expect(new URL(created.uri).searchParams.get('request_uri_method')).toBe('post')
    expect(resolved.verifier.clientIdPrefix).toBe('x509_san_dns')
    expect(result.status).toBe('verified')
  })

  it('is refused by a wallet that does not trust the CA', async () => {
    const other = await DevelopmentCa.create({ name: 'Elsewhere' })
    await expect(presentWithCredo({}, [other.rootBase64()])).rejects.toThrow()
  })
})
