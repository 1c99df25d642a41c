import { randomBytes } from 'node:crypto'
import { DevelopmentCa } from '@attesto/protocol-kit'
import { decodeStatusList, statusAt } from '@attesto/protocol-kit/status-list'
import { holderAgent, startService } from '@attesto/testing'
import type { SdJwtVcRecord } from '@credo-ts/core'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { parseIssued, presentAndVerify } from './support/auth0Mdoc.js'
import { receiveBatch } from './support/credoBatch.js'
import { HandWallet, parseOffer } from './support/HandWallet.js'
import { closeSharingSchema, tenantWithIssuer } from './support/issuerFixture.js'
import { DOCTYPE, MDL_CLAIMS, mdocIssuer } from './support/mdocFixture.js'

// Batch issuance (OID4VCI 1.0 §8.2, batch_credential_issuance): Credo's holder asks for a batch
// and verifies every credential of it; a wallet built by hand sends what Credo's would not (too
// many proofs, one key twice, racing requests on one token over two instances that share one
// schema, one KMS master key and one public URL). Real PostgreSQL.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>
// biome-ignore lint/suspicious/noExplicitAny: credential payloads are inspected loosely in tests
type Payload = Record<string, any>

const payloadOf = (credential: string): Payload =>
  JSON.parse(Buffer.from(credential.split('.')[1] as string, 'base64url').toString())
/** The salts of a credential's disclosures. */
const saltsOf = (credential: string): string[] =>
  credential
    .split('~')
    .slice(1)
    .filter(Boolean)
    .map((disclosure) => JSON.parse(Buffer.from(disclosure, 'base64url').toString())[0])

describe('batch issuance, two instances', () => {
  let a: Service
  let b: Service
  let key = ''
  let issuerId = ''
  let tenantId = ''
  /** Credo's holder (embedded storage, local KMS): made once, it takes seconds on a busy machine. */
  let wallet: Awaited<ReturnType<typeof holderAgent>>
  /** `url` (of instance a, the public one) on instance `service`. */
  const on = (service: Service, url: string) => url.replace(a.http.url, service.http.url)

  async function offer(configurationId: string, claims?: object) {
    const created = await a.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: configurationId,
      ...(claims ? { claims } : {}),
    })
    expect(created.status).toBe(201)
    return { ...parseOffer(created.body.uri), offerId: created.body.offerId as string, uri: created.body.uri as string }
  }

  /** An offer's access token, and proofs of `count` fresh keys for one nonce. */
  async function tokenAndProofs(count: number, configurationId = 'pass') {
    const made = await offer(configurationId, configurationId === 'pass' ? { given_name: 'Ada' } : undefined)
    const token = await new HandWallet().redeem(made.credentialIssuer, made.code)
    expect(token.status).toBe(200)
    const wallets = Array.from({ length: count }, () => new HandWallet())
    const nonce = await wallets[0]?.nonce(made.credentialIssuer)
    const proofs = wallets.map((wallet) => wallet.proof(made.credentialIssuer, nonce as string))
    return { ...made, accessToken: token.body.access_token as string, wallets, nonce: nonce as string, proofs }
  }

  beforeAll(async () => {
    const shared = {
      KMS_MASTER_KEY: randomBytes(32).toString('base64'),
      TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
      PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
    }
    a = await startService('issuer', createIssuerApp, shared)
    b = await startService('issuer', createIssuerApp, {
      ...shared,
      DATABASE_SCHEMA: a.schema,
      PUBLIC_BASE_URL: a.http.url,
    })
    ;({ key, issuerId } = await tenantWithIssuer(a, {
      label: 'Transit',
      configurationId: 'pass',
      vct: 'urn:attesto:test:pass',
      claims: [
        { name: 'given_name', type: 'string', required: true },
        { name: 'zone', type: 'string' },
      ],
    }))
    tenantId = key.split('.')[1] as string
    wallet = await holderAgent()
  }, 120_000)
  afterAll(async () => {
    await wallet?.close()
    await closeSharingSchema([a, b])
  })

  it('takes a batch size from 1 to 100 per issuer and advertises it when above 1', async () => {
    const metadataOf = async (id: string) =>
      (await (await fetch(`${a.http.url}/.well-known/openid-credential-issuer/oid4vci/${id}`)).json()) as Payload
    expect((await a.call('GET', `/issuers/${issuerId}`, key)).body.batchSize).toBe(1)
    const plain = await metadataOf(issuerId)
    expect(plain.batch_credential_issuance).toBeUndefined()
    expect(plain.notification_endpoint).toBe(`${a.http.url}/oid4vci/${issuerId}/notification`)

    for (const batchSize of [0, 101, 2.5, '5']) {
      const refused = await a.call('PATCH', `/issuers/${issuerId}`, key, { batchSize })
      expect(refused.status).toBe(400)
      expect(refused.body.error.message).toContain('batchSize')
    }
    expect((await a.call('PATCH', `/issuers/${issuerId}`, key, {})).status).toBe(400)
    expect((await a.call('POST', '/issuers', key, { batchSize: 1000 })).status).toBe(400)
    const made = await a.call('POST', '/issuers', key, { batchSize: 100 })
    expect(made.body.batchSize).toBe(100)
    expect((await metadataOf(made.body.issuerId)).batch_credential_issuance).toEqual({ batch_size: 100 })

    const patched = await a.call('PATCH', `/issuers/${issuerId}`, key, { batchSize: 5 })
    expect(patched).toMatchObject({ status: 200, body: { batchSize: 5 } })
    expect((await metadataOf(issuerId)).batch_credential_issuance).toEqual({ batch_size: 5 })
    // The display stays what it was when only the batch size changes.
    await a.call('PATCH', `/issuers/${issuerId}`, key, { display: [{ name: 'City Transit' }] })
    expect((await a.call('GET', `/issuers/${issuerId}`, key)).body).toMatchObject({
      batchSize: 5,
      display: [{ name: 'City Transit' }],
    })
  })

  it("issues Credo's holder a batch of five: each verified, with its own key, status index and salts", async () => {
    const made = await offer('pass', { given_name: 'Ada', zone: 'A' })
    const { resolvedCredentialOffer, credentials } = await receiveBatch(wallet.agent, made.uri)
    expect(resolvedCredentialOffer.metadata.credentialIssuer.batch_credential_issuance).toEqual({ batch_size: 5 })
    expect(credentials).toHaveLength(1)
    const [received] = credentials
    if (!received) throw new Error('no credential received')
    const instances = (received.record as SdJwtVcRecord).credentialInstances
    expect(instances).toHaveLength(5)
    expect(received.notificationId).toEqual(expect.any(String))
    for (const { compactSdJwtVc } of instances) {
      const verified = await wallet.agent.sdJwtVc.verify({ compactSdJwtVc })
      expect(verified.isValid).toBe(true)
    }
    const compact = instances.map((instance) => instance.compactSdJwtVc)
    const payloads = compact.map(payloadOf)
    expect(new Set(payloads.map((payload) => JSON.stringify(payload.cnf.jwk))).size).toBe(5)
    const indices = payloads.map((payload) => payload.status.status_list.idx as number)
    expect(new Set(indices).size).toBe(5)
    expect(new Set(payloads.map((payload) => payload.status.status_list.uri)).size).toBe(1)
    const salts = compact.flatMap(saltsOf)
    expect(salts).toHaveLength(10) // given_name and zone, in each of five
    expect(new Set(salts).size).toBe(10)

    // One offer, one status for the batch: revoking it revokes all five entries.
    const shown = await a.call('GET', `/offers/${made.offerId}`, key)
    expect(shown.body).toMatchObject({
      status: 'credential_issued',
      credentialCount: 5,
      credentialStatus: { status: 'valid', statusList: { idx: indices[0], indices } },
    })
    expect((await a.call('POST', `/offers/${made.offerId}/status`, key, { status: 'revoked' })).status).toBe(200)
    const uri = payloads[0]?.status.status_list.uri as string
    const listId = uri.split('/').pop() as string
    await a.runtime.credentialStatus.publisher.publishNow(await a.runtime.issuers.get(issuerId), listId)
    const token2 = await (await fetch(uri)).text()
    const bytes = decodeStatusList(payloadOf(token2).status_list.lst)
    expect(indices.map((idx) => statusAt(bytes, 2, idx))).toEqual([1, 1, 1, 1, 1])
  }, 120_000)

  it('refuses more proofs than the batch size, a key twice and a bad proof, naming it; then issues', async () => {
    const made = await tokenAndProofs(6)
    const request = (jwt: string[]) => ({ credential_configuration_id: 'pass', proofs: { jwt } })
    const send = (jwt: string[]) =>
      (made.wallets[0] as HandWallet).credential(made.credentialIssuer, made.accessToken, request(jwt))

    const six = await send(made.proofs)
    expect(six.status).toBe(400)
    expect(six.body).toMatchObject({ error: 'invalid_credential_request' })
    expect(six.body.error_description).toContain('At most 5 proofs per request')

    const again = (made.wallets[1] as HandWallet).proof(made.credentialIssuer, made.nonce)
    const twice = await send([made.proofs[0], made.proofs[1], again] as string[])
    expect(twice.body).toMatchObject({ error: 'invalid_proof' })
    expect(twice.body.error_description).toMatch(/^proofs\.jwt\[2\]: .*key of its own/)

    const forged = (made.wallets[2] as HandWallet).proof(made.credentialIssuer, made.nonce, {
      key: new HandWallet().privateKey,
    })
    const bad = await send([made.proofs[0], forged] as string[])
    expect(bad.body).toMatchObject({ error: 'invalid_proof' })
    expect(bad.body.error_description).toMatch(/^proofs\.jwt\[1\]: /)
    expect(await send([made.proofs[0] as string, 'x'])).toMatchObject({ body: { error: 'invalid_proof' } })
    expect((await a.call('GET', `/offers/${made.offerId}`, key)).body.status).toBe('token_issued')

    const three = await send(made.proofs.slice(0, 3))
    expect(three.status).toBe(200)
    expect(three.body.credentials).toHaveLength(3)
    expect(three.body.notification_id).toEqual(expect.any(String))
    const keys = three.body.credentials.map(({ credential }: { credential: string }) => payloadOf(credential).cnf.jwk)
    expect(keys).toEqual(made.wallets.slice(0, 3).map((wallet) => wallet.jwk))
  })

  it('issues one batch of concurrent requests on one token, on either instance', async () => {
    const made = await tokenAndProofs(1)
    const answers = await Promise.all(
      Array.from({ length: 10 }, async (_, index) => {
        const wallets = Array.from({ length: 5 }, () => new HandWallet())
        const proofs = wallets.map((wallet) => wallet.proof(made.credentialIssuer, made.nonce))
        return wallets[0]?.credential(on(index % 2 ? a : b, made.credentialIssuer), made.accessToken, {
          credential_configuration_id: 'pass',
          proofs: { jwt: proofs },
        })
      }),
    )
    const issued = answers.filter((answer) => answer?.status === 200)
    expect(issued).toHaveLength(1)
    expect(answers.filter((answer) => answer?.body.error === 'credential_request_denied')).toHaveLength(9)
    const credentials = issued[0]?.body.credentials as { credential: string }[]
    expect(credentials).toHaveLength(5)
    // The status the offer keeps is the winner's: its five indices, in its order.
    const row = await b.runtime.credentialStatus.statuses.find(tenantId, made.offerId)
    expect(row?.indices).toEqual(credentials.map(({ credential }) => payloadOf(credential).status.status_list.idx))
    const shown = await b.call('GET', `/offers/${made.offerId}`, key)
    expect(shown.body).toMatchObject({ status: 'credential_issued', credentialCount: 5 })
  })

  it('issues a batch of mdocs, each verified by @auth0/mdl and bound to its own device key', async () => {
    const ca = await DevelopmentCa.create({ name: 'Example National', country: 'NL' })
    const road = await mdocIssuer(a, ca)
    expect((await a.call('PATCH', `/issuers/${road.issuerId}`, road.key, { batchSize: 3 })).status).toBe(200)
    const created = await a.call('POST', '/offers', road.key, {
      issuerId: road.issuerId,
      credentialConfigurationId: 'mdl',
      claims: MDL_CLAIMS,
    })
    const { credentialIssuer, code } = parseOffer(created.body.uri)
    const wallets = Array.from({ length: 3 }, () => new HandWallet())
    const first = wallets[0] as HandWallet
    const token = (await first.redeem(credentialIssuer, code)).body.access_token as string
    const nonce = await first.nonce(credentialIssuer)
    const answer = await first.credential(credentialIssuer, token, {
      credential_configuration_id: 'mdl',
      proofs: { jwt: wallets.map((wallet) => wallet.proof(credentialIssuer, nonce)) },
    })
    expect(answer.status).toBe(200)
    const issued = answer.body.credentials.map(({ credential }: { credential: string }) =>
      Buffer.from(credential, 'base64url'),
    )
    expect(issued).toHaveLength(3)
    const salts = new Set<string>()
    for (const [index, bytes] of issued.entries()) {
      const wallet = wallets[index] as HandWallet
      const document = parseIssued(DOCTYPE, bytes)
      const deviceKey = document.issuerSigned.issuerAuth.decodedPayload.deviceKeyInfo?.deviceKey as Map<number, unknown>
      expect(Buffer.from(deviceKey.get(-2) as Uint8Array).toString('base64url')).toBe(wallet.jwk.x)
      for (const item of Object.values(document.issuerSigned.nameSpaces).flat()) {
        salts.add(Buffer.from(item.random).toString('base64url'))
      }
      const devicePrivateJwk = wallet.privateKey.export({ format: 'jwk' })
      const verified = await presentAndVerify(DOCTYPE, bytes, MDL_CLAIMS, devicePrivateJwk, ca.root.toString('pem'))
      expect(verified.failed).toEqual([])
    }
    expect(salts.size).toBe(24) // eight data elements in each of three, every salt its own
    expect((await a.call('GET', `/offers/${created.body.offerId}`, road.key)).body).toMatchObject({
      status: 'credential_issued',
      credentialCount: 3,
    })
  })

  it('keeps every proven key of a deferred batch and issues one credential each once the claims are approved', async () => {
    const configured = await a.call('PUT', `/issuers/${issuerId}/credential-configurations/licence`, key, {
      vct: 'urn:attesto:test:licence',
      deferred: true,
      claims: [{ name: 'category', type: 'string', required: true }],
    })
    expect(configured.status).toBe(200)
    const made = await tokenAndProofs(3, 'licence')
    const wallet = made.wallets[0] as HandWallet
    const pending = await wallet.credential(made.credentialIssuer, made.accessToken, {
      credential_configuration_id: 'licence',
      proofs: { jwt: made.proofs },
    })
    expect(pending.status).toBe(202)
    const collect = async () => {
      const response = await fetch(`${made.credentialIssuer}/deferred-credential`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${made.accessToken}` },
        body: JSON.stringify({ transaction_id: pending.body.transaction_id }),
      })
      return { status: response.status, body: (await response.json()) as Payload }
    }
    expect((await collect()).status).toBe(202)
    expect(await a.runtime.offers.sessions.approveClaims(tenantId, made.offerId, { category: 'B' })).toBe(true)
    const collected = await collect()
    expect(collected.status).toBe(200)
    // No notification_id in a deferred response: Credo's holder (@openid4vc/openid4vci 0.4.6) refuses one.
    expect(collected.body.notification_id).toBeUndefined()
    const payloads = collected.body.credentials.map(({ credential }: { credential: string }) => payloadOf(credential))
    expect(payloads.map((payload: Payload) => payload.cnf.jwk)).toEqual(made.wallets.map((held) => held.jwk))
    expect(new Set(payloads.map((payload: Payload) => payload.status.status_list.idx)).size).toBe(3)
    expect((await a.call('GET', `/offers/${made.offerId}`, key)).body).toMatchObject({
      status: 'credential_issued',
      credentialCount: 3,
    })
    expect((await collect()).body.error).toBe('credential_request_denied')
  })
})
