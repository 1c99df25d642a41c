import { HolderWallet } from '@attesto/holder'
import { DevelopmentCa } from '@attesto/protocol-kit'
import { startService } from '@attesto/testing'
import { Pkcs10CertificateRequest, Pkcs10CertificateRequestGenerator, X509Certificate } from '@peculiar/x509'
import { compactVerify, decodeProtectedHeader } from 'jose'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { HandWallet, parseOffer } from './support/HandWallet.js'
import { certifyIssuer, tenantWithIssuer } from './support/issuerFixture.js'

// An issuer's X.509 identity through the REST API: a certificate signing request signed in the
// KMS, the chain a CA returns (here a development CA) checked on upload, then SD-JWT VCs and
// status list tokens that carry x5c. What the issuer signs is checked with @peculiar/x509 and
// jose alone, up to the test's own trust anchor. Real PostgreSQL.

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString())
const fromX5c = (entry: string) => new X509Certificate(Buffer.from(entry, 'base64'))

describe('issuer certificates (x5c)', () => {
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>
  let key = ''
  let issuerId = ''
  let credentialIssuer = ''
  let ca: DevelopmentCa
  const wallet = new HandWallet()

  /** One credential through the OID4VCI endpoints: the issuer-signed JWT and its status URI. */
  async function issue() {
    const created = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Ada' },
    })
    const offer = parseOffer(created.body.uri)
    const token = await wallet.redeem(offer.credentialIssuer, offer.code)
    const nonce = await wallet.nonce(offer.credentialIssuer)
    const answer = await wallet.credential(offer.credentialIssuer, token.body.access_token, {
      credential_configuration_id: 'pass',
      proofs: { jwt: [wallet.proof(offer.credentialIssuer, nonce)] },
    })
    expect(answer.status).toBe(200)
    const jwt = (answer.body.credentials[0].credential as string).split('~')[0] as string
    return { jwt, header: decodeProtectedHeader(jwt), payload: decode(jwt.split('.')[1] as string) }
  }

  /** Verifies `jwt` with its x5c leaf, after checking the chain up to `anchor`, with @peculiar/x509 and jose only. */
  async function verifyUnder(jwt: string, anchor: X509Certificate) {
    const x5c = decodeProtectedHeader(jwt).x5c as string[]
    const chain = x5c.map(fromX5c)
    for (const [index, certificate] of chain.entries()) {
      const signer = chain[index + 1] ?? anchor
      expect(certificate.issuer).toBe(signer.subject)
      expect(await certificate.verify({ publicKey: signer.publicKey, date: new Date() })).toBe(true)
    }
    const leafKey = await (chain[0] as X509Certificate).publicKey.export()
    return compactVerify(jwt, leafKey)
  }

  beforeAll(async () => {
    service = await startService('issuer', createIssuerApp, { TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0' })
    ;({ key, issuerId } = await tenantWithIssuer(service, {
      label: 'University',
      configurationId: 'pass',
      vct: 'https://issuer.test/pass',
      claims: [{ name: 'given_name', type: 'string', required: true }],
    }))
    credentialIssuer = (await service.call('GET', `/issuers/${issuerId}`, key)).body.credentialIssuer
    ca = await DevelopmentCa.create({ name: 'Example National' })
  })
  afterAll(() => service?.close())

  it('makes a certificate signing request for the issuer key, naming the credential issuer', async () => {
    const answer = await service.call('POST', `/issuers/${issuerId}/certificate-signing-request`, key, {
      commonName: 'University of Examples',
      organization: 'University of Examples',
      country: 'NL',
    })
    expect(answer.status).toBe(200)
    const csr = new Pkcs10CertificateRequest(answer.body.csr)
    expect(await csr.verify()).toBe(true)
    expect(csr.subject).toBe('CN=University of Examples, O=University of Examples, C=NL')
    expect(JSON.stringify(csr.extensions.map((extension) => extension.toString('text')))).toContain(credentialIssuer)
    // The request's key is the issuer's: the DID (did:jwk) carries the same public key.
    const did = (await service.call('GET', `/issuers/${issuerId}`, key)).body.did as string
    const jwk = decode(did.slice('did:jwk:'.length))
    const exported = await crypto.subtle.exportKey('jwk', await csr.publicKey.export())
    expect({ x: exported.x, y: exported.y }).toEqual({ x: jwk.x, y: jwk.y })
    const bad = await service.call('POST', `/issuers/${issuerId}/certificate-signing-request`, key, {
      commonName: 'A, O=B',
    })
    expect(bad.status).toBe(400)
  })

  it('refuses a chain for another key, and what is not a chain, with a stable code', async () => {
    const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])
    const foreign = await Pkcs10CertificateRequestGenerator.create({
      name: 'CN=Someone Else',
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    })
    const put = (chain: unknown) => service.call('PUT', `/issuers/${issuerId}/certificate`, key, { chain })
    expect((await put(await ca.issue(foreign.toString('pem')))).body.error.code).toBe('certificate_key_mismatch')
    expect((await put('not a certificate')).body.error.code).toBe('certificate_unreadable')
    expect((await put([])).status).toBe(400)
    expect((await service.call('GET', `/issuers/${issuerId}`, key)).body.certificate).toBeUndefined()
  })

  it('signs credentials and status lists with x5c once the chain is uploaded, verifiable up to the anchor', async () => {
    const before = await issue()
    expect(before.header.kid).toMatch(/^did:jwk:/)
    const csr = (
      await service.call('POST', `/issuers/${issuerId}/certificate-signing-request`, key, { commonName: 'University' })
    ).body.csr as string
    const uploaded = await service.call('PUT', `/issuers/${issuerId}/certificate`, key, { chain: await ca.issue(csr) })
    expect(uploaded).toMatchObject({
      status: 200,
      body: { subject: 'CN=University', chainLength: 2, uris: [credentialIssuer] },
    })
    expect((await service.call('GET', `/issuers/${issuerId}`, key)).body.certificate).toEqual(uploaded.body)

    const after = await issue()
    expect(after.header.kid).toBeUndefined()
    expect(after.header.x5c).toHaveLength(2) // leaf and issuing CA; the root (trust anchor) is left out
    expect(after.payload.iss).toBe(credentialIssuer) // the certificate names it (SAN URI)
    await verifyUnder(after.jwt, ca.root)
    const other = await DevelopmentCa.create({ name: 'Other' })
    await expect(verifyUnder(after.jwt, other.root)).rejects.toThrow()

    // The status list token carries the same chain.
    const status = await fetch(after.payload.status.status_list.uri)
    const statusJwt = await status.text()
    expect(decodeProtectedHeader(statusJwt)).toMatchObject({ typ: 'statuslist+jwt', x5c: after.header.x5c })
    await verifyUnder(statusJwt, ca.root)
  })

  it("is accepted by Credo's holder (the wallet SDK) that trusts the anchor, and refused by one that does not", async () => {
    const offer = async () =>
      (
        await service.call('POST', '/offers', key, {
          issuerId,
          credentialConfigurationId: 'pass',
          claims: { given_name: 'Ada' },
        })
      ).body.uri as string
    const trusting = await HolderWallet.open({
      inMemory: true,
      passphrase: 'wallet passphrase',
      allowInsecureHttp: true,
      trustedCertificates: [ca.rootBase64()],
    })
    try {
      const [received] = await trusting.acceptOffer(await offer())
      expect(received).toMatchObject({ issuer: credentialIssuer, claims: { given_name: 'Ada' } })
    } finally {
      await trusting.close()
    }
    const wary = await HolderWallet.open({ inMemory: true, passphrase: 'wallet passphrase', allowInsecureHttp: true })
    try {
      await expect(wary.acceptOffer(await offer())).rejects.toThrow()
      expect(await wary.listCredentials()).toEqual([])
    } finally {
      await wary.close()
    }
  }, 120_000) // two wallets open (each 10 to 20 s on a loaded 2-core machine)

  it('renews: a new chain signs from then on, and removing it goes back to the DID', async () => {
    const renewalCa = await DevelopmentCa.create({ name: 'Renewal' })
    expect((await certifyIssuer(service, key, issuerId, renewalCa)).status).toBe(200)
    const renewed = await issue()
    await verifyUnder(renewed.jwt, renewalCa.root)
    expect((await service.call('DELETE', `/issuers/${issuerId}/certificate`, key)).status).toBe(204)
    const plain = await issue()
    expect(plain.header.x5c).toBeUndefined()
    expect(plain.payload.iss).toMatch(/^did:jwk:/)
  })
})
