import { createHash, generateKeyPairSync, sign } from 'node:crypto'
import { DevelopmentCa } from '@attesto/protocol-kit'
import { holderAgent, REDIS_URL, redeemOffer, silentLogger, startService } from '@attesto/testing'
import { type Mdoc, MdocRecord, X509ModuleConfig } from '@credo-ts/core'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { parseIssued, presentAndVerify } from './support/auth0Mdoc.js'
import { HandWallet, parseOffer } from './support/HandWallet.js'
import { DOCTYPE, MDL, MDL_CLAIMS, MDL_CONFIGURATION, mdocIssuer, PORTRAIT, REGISTRY } from './support/mdocFixture.js'

// An mdoc (ISO/IEC 18013-5, OID4VCI 1.0 `mso_mdoc`) through the real OID4VCI flow (offer, token,
// nonce, credential with a P-256 jwt proof), then checked by two implementations nobody here
// wrote: @auth0/mdl (issuer signature up to the trust anchor, validity, value digests, device
// signature against the MSO's device key) and Credo's holder and mdoc verification. Real
// PostgreSQL; Redis for the deferred approval queue.

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')

describe('mdoc issuance', () => {
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>
  let ca: DevelopmentCa
  let key = ''
  let issuerId = ''
  let certificate: Record<string, unknown> = {}

  /** An offer of `claims` (the full licence by default) through the REST API: its id and parsed URI. */
  async function offer(body: object = { claims: MDL_CLAIMS }, configurationId = 'mdl') {
    const made = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: configurationId,
      ...body,
    })
    expect(made.status).toBe(201)
    return { offerId: made.body.offerId as string, uri: made.body.uri as string, ...parseOffer(made.body.uri) }
  }

  /** Offer, token, nonce and credential request by the hand-built wallet; answers the credential response. */
  async function issue(wallet: HandWallet, body?: object, proof?: (issuer: string, nonce: string) => string) {
    const { credentialIssuer, code, offerId } = await offer(body)
    const token = await wallet.redeem(credentialIssuer, code)
    const nonce = await wallet.nonce(credentialIssuer)
    const jwt = proof ? proof(credentialIssuer, nonce) : wallet.proof(credentialIssuer, nonce)
    const answer = await wallet.credential(credentialIssuer, token.body.access_token, {
      credential_configuration_id: 'mdl',
      proofs: { jwt: [jwt] },
    })
    return { answer, offerId }
  }

  beforeAll(async () => {
    service = await startService('issuer', createIssuerApp, {
      TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
      REDIS_URL,
      QUEUE_PREFIX: `test${Date.now()}`,
    })
    service.runtime.deferredClaims?.startWorking(service.runtime.offers.sessions, silentLogger)
    ca = await DevelopmentCa.create({ name: 'Example National', country: 'NL' })
    ;({ key, issuerId, certificate } = await mdocIssuer(service, ca, {
      'mdl-later': { ...MDL_CONFIGURATION, deferred: true },
    }))
  })
  afterAll(() => service?.close())

  it('issues an mdoc that @auth0/mdl verifies up to the trust anchor, bound to the proof key', async () => {
    const wallet = new HandWallet()
    const validUntil = new Date(Date.now() + 7 * 24 * 3600 * 1000)
    validUntil.setMilliseconds(0)
    const before = Math.floor(Date.now() / 1000) * 1000
    const { answer, offerId } = await issue(wallet, {
      claims: MDL_CLAIMS,
      credentialValidUntil: validUntil.toISOString(),
    })
    expect(answer.status).toBe(200)
    expect(Object.keys(answer.body)).toEqual(['credentials', 'notification_id'])
    const issued = answer.body.credentials[0].credential as string
    expect(issued).toMatch(/^[A-Za-z0-9_-]+$/)
    const bytes = Buffer.from(issued, 'base64url')

    // The MSO as Auth0's parser reads it.
    const document = parseIssued(DOCTYPE, bytes)
    const { issuerAuth } = document.issuerSigned
    const mso = issuerAuth.decodedPayload
    expect([mso.version, mso.docType, mso.digestAlgorithm]).toEqual(['1.0', DOCTYPE, 'SHA-256'])
    expect(issuerAuth.algName).toBe('ES256')
    expect(mso.validityInfo.signed.getTime()).toBeGreaterThanOrEqual(before)
    expect(mso.validityInfo.validFrom).toEqual(mso.validityInfo.signed)
    expect(mso.validityInfo.validUntil).toEqual(validUntil)
    const deviceKey = mso.deviceKeyInfo?.deviceKey as Map<number, unknown>
    expect([deviceKey.get(1), deviceKey.get(-1)]).toEqual([2, 1]) // EC2, P-256
    expect([b64url(deviceKey.get(-2) as Uint8Array), b64url(deviceKey.get(-3) as Uint8Array)]).toEqual([
      wallet.jwk.x,
      wallet.jwk.y,
    ])
    // x5chain: the document signer (the uploaded certificate) and the issuing CA, never the root.
    const x5chain = issuerAuth.x5chain as Uint8Array[]
    expect(x5chain).toHaveLength(2)
    expect(
      createHash('sha256')
        .update(x5chain[0] as Uint8Array)
        .digest('base64url'),
    ).toBe(certificate.sha256)
    expect(Buffer.from(x5chain[1] as Uint8Array)).toEqual(Buffer.from(ca.intermediate.rawData))
    // One item per data element, each with its own 32-byte random salt.
    const items = Object.values(document.issuerSigned.nameSpaces).flat()
    expect(items).toHaveLength(8)
    expect(new Set(items.map((item) => b64url(item.random))).size).toBe(8)
    expect(items.every((item) => item.random.length === 32)).toBe(true)

    const devicePrivateJwk = wallet.privateKey.export({ format: 'jwk' })
    const verified = await presentAndVerify(DOCTYPE, bytes, MDL_CLAIMS, devicePrivateJwk, ca.root.toString('pem'))
    expect(verified.failed).toEqual([])
    expect(verified.checks.map((check) => check.check)).toEqual(
      expect.arrayContaining([
        'Issuer certificate must be valid',
        'Issuer signature must be valid',
        'Device signature must be valid',
      ]),
    )
    const mdl = verified.disclosed[MDL] as Record<string, unknown>
    expect([mdl.family_name, mdl.given_name, mdl.age_over_18]).toEqual(['Mustermann', 'Erika', true])
    expect((mdl.birth_date as Date).toISOString()).toBe('1984-08-12')
    expect(Buffer.from(mdl.portrait as Uint8Array)).toEqual(PORTRAIT)
    expect(verified.disclosed[REGISTRY]).toEqual({
      enrolled_at: new Date('2026-09-01T08:00:00Z'),
      points: -3,
      licence_number: 4711,
    })
    expect((await service.call('GET', `/offers/${offerId}`, key)).body).toMatchObject({ status: 'credential_issued' })
    expect((await service.call('GET', `/offers/${offerId}`, key)).body.credentialStatus).toBeUndefined()
    const revoke = await service.call('POST', `/offers/${offerId}/status`, key, { status: 'revoked' })
    expect([revoke.status, revoke.body.error.code]).toEqual([404, 'credential_status_not_found'])

    // The same checks fail where they must: another anchor, altered data, another device key.
    const foreign = await DevelopmentCa.create({ name: 'Elsewhere', country: 'BE' })
    const untrusted = await presentAndVerify(DOCTYPE, bytes, MDL_CLAIMS, devicePrivateJwk, foreign.root.toString('pem'))
    expect(untrusted.failed).toEqual(['Issuer certificate must be valid'])
    const altered = Buffer.from(bytes.toString('latin1').replace('Mustermann', 'Musterfrau'), 'latin1')
    const tampered = await presentAndVerify(DOCTYPE, altered, MDL_CLAIMS, devicePrivateJwk, ca.root.toString('pem'))
    expect(tampered.failed).toEqual([
      `The calculated digest for ${MDL}/family_name attribute must match the digest in the issuerAuth element`,
    ])
    const stolen = new HandWallet().privateKey.export({ format: 'jwk' })
    const cloned = await presentAndVerify(DOCTYPE, bytes, MDL_CLAIMS, stolen, ca.root.toString('pem'))
    expect(cloned.failed).toEqual(['Device signature must be valid'])
  })

  it("is received by Credo's holder and accepted by Credo's mdoc verification with the trusted certificate", async () => {
    const holder = await holderAgent()
    try {
      holder.agent.dependencyManager.resolve(X509ModuleConfig).setTrustedCertificates([ca.rootBase64()])
      const [received] = await redeemOffer(holder.agent, (await offer()).uri)
      const record = received?.record
      expect(record).toBeInstanceOf(MdocRecord)
      const mdoc = (record as MdocRecord).firstCredential as Mdoc
      expect(mdoc.docType).toBe(DOCTYPE)
      expect(mdoc.issuerSignedNamespaces[MDL]).toMatchObject({ family_name: 'Mustermann', age_over_18: true })
      expect(await mdoc.verify(holder.agent.context, { trustedCertificates: [ca.rootBase64()] })).toEqual({
        isValid: true,
      })
      const foreign = await DevelopmentCa.create({ name: 'Elsewhere', country: 'BE' })
      const refused = await mdoc.verify(holder.agent.context, { trustedCertificates: [foreign.rootBase64()] })
      expect(refused.isValid).toBe(false)

      // A wallet that trusts another CA refuses it on receipt.
      holder.agent.dependencyManager.resolve(X509ModuleConfig).setTrustedCertificates([foreign.rootBase64()])
      await expect(redeemOffer(holder.agent, (await offer()).uri)).rejects.toThrow(/Failed to validate mdoc/)
    } finally {
      await holder.close()
    }
  }, 180_000) // Credo's holder agent (PGlite, Credo's modules) is slow to start on a busy machine

  it('binds only a P-256 device key: an Ed25519 proof is refused and changes nothing', async () => {
    const wallet = new HandWallet()
    const edwards = generateKeyPairSync('ed25519')
    const { kty, crv, x } = edwards.publicKey.export({ format: 'jwk' })
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const ed25519Proof = (credentialIssuer: string, nonce: string) => {
      const header = { alg: 'EdDSA', typ: 'openid4vci-proof+jwt', jwk: { kty, crv, x } }
      const input = `${part(header)}.${part({ aud: credentialIssuer, iat: Math.floor(Date.now() / 1000), nonce })}`
      return `${input}.${sign(null, Buffer.from(input), edwards.privateKey).toString('base64url')}`
    }
    const { answer, offerId } = await issue(wallet, undefined, ed25519Proof)
    expect([answer.status, answer.body.error]).toEqual([400, 'invalid_proof'])
    expect(answer.body.error_description).toMatch(/P-256/)
    expect((await service.call('GET', `/offers/${offerId}`, key)).body.status).toBe('token_issued')
  })

  it('takes a draft 13 request naming format mso_mdoc and the doctype, and refuses another doctype', async () => {
    const wallet = new HandWallet()
    const { credentialIssuer, code } = await offer()
    const token = (await wallet.redeem(credentialIssuer, code)).body.access_token as string
    const draft13 = async (body: object) =>
      wallet.credential(credentialIssuer, token, {
        ...body,
        proof: { proof_type: 'jwt', jwt: wallet.proof(credentialIssuer, await wallet.nonce(credentialIssuer)) },
      })
    for (const body of [
      { format: 'mso_mdoc', doctype: 'org.iso.23220.photoid.1' },
      { format: 'mso_mdoc' },
      { format: 'dc+sd-jwt', doctype: DOCTYPE },
    ]) {
      const refused = await draft13(body)
      expect([refused.status, refused.body.error]).toEqual([400, 'invalid_credential_request'])
      expect(refused.body.error_description).toContain("'format' mso_mdoc and 'doctype'")
    }
    const answer = await draft13({ format: 'mso_mdoc', doctype: DOCTYPE })
    expect(answer.status).toBe(200)
    const mso = parseIssued(DOCTYPE, Buffer.from(answer.body.credentials[0].credential, 'base64url')).issuerSigned
      .issuerAuth.decodedPayload
    expect(mso.docType).toBe(DOCTYPE)
    const deviceKey = mso.deviceKeyInfo?.deviceKey as Map<number, unknown>
    expect(b64url(deviceKey.get(-2) as Uint8Array)).toBe(wallet.jwk.x)
  })

  it('defers an mdoc until its claims are approved, then issues it through the deferred endpoint', async () => {
    const wallet = new HandWallet()
    const { credentialIssuer, code, offerId } = await offer({}, 'mdl-later')
    const token = (await wallet.redeem(credentialIssuer, code)).body.access_token as string
    const request = async (path: string, body: object) => {
      const response = await fetch(`${credentialIssuer}/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      })
      // biome-ignore lint/suspicious/noExplicitAny: protocol answers are inspected loosely
      return { status: response.status, body: (await response.json()) as Record<string, any> }
    }
    const proof = wallet.proof(credentialIssuer, await wallet.nonce(credentialIssuer))
    const pending = await request('credential', { credential_configuration_id: 'mdl-later', proofs: { jwt: [proof] } })
    expect(pending.status).toBe(202)
    const flat = await service.call('PUT', `/offers/${offerId}/claims`, key, { claims: { family_name: 'Mustermann' } })
    expect(flat.body.error.code).toBe('claims_invalid')
    expect((await service.call('PUT', `/offers/${offerId}/claims`, key, { claims: MDL_CLAIMS })).status).toBe(202)
    let collected = await request('deferred-credential', { transaction_id: pending.body.transaction_id })
    for (let tries = 0; collected.status === 202 && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      collected = await request('deferred-credential', { transaction_id: pending.body.transaction_id })
    }
    expect(collected.status).toBe(200)
    const bytes = Buffer.from(collected.body.credentials[0].credential, 'base64url')
    const verified = await presentAndVerify(
      DOCTYPE,
      bytes,
      MDL_CLAIMS,
      wallet.privateKey.export({ format: 'jwk' }),
      ca.root.toString('pem'),
    )
    expect(verified.failed).toEqual([])
    expect(verified.disclosed[MDL]).toMatchObject({ family_name: 'Mustermann' })
  })
})
