import { randomBytes } from 'node:crypto'
import { PostgresDatabase } from '@attesto/storage-service'
import { DATABASE_URL, startService } from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { HandWallet, parseOffer } from './support/HandWallet.js'
import { issuerPair } from './support/issuerFixture.js'

// biome-ignore lint/suspicious/noExplicitAny: metadata documents are inspected loosely
type Metadata = Record<string, any>

// The OID4VCI endpoints as a wallet written from the specification meets them (requests built
// by hand), on two issuer instances that share one PostgreSQL schema and one public URL: every
// limit and every single-use guarantee must hold across instances.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

describe('OID4VCI endpoints, two instances', () => {
  const env = {
    PUBLIC_BASE_URL: 'http://issuer.test',
    KMS_MASTER_KEY: randomBytes(32).toString('base64'),
    TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
  }
  let a: Service
  let b: Service
  let key = ''
  let issuerId = ''
  let tenantId = ''
  const wallet = new HandWallet()
  /** The instance-local URL of a credential issuer identifier (both instances serve the same one). */
  const at = (service: Service, credentialIssuer: string) =>
    credentialIssuer.replace('http://issuer.test', service.http.url)

  async function offer(extra: object = {}) {
    const created = await a.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Ada' },
      ...extra,
    })
    expect(created.status).toBe(201)
    return { ...parseOffer(created.body.uri), offerId: created.body.offerId as string, txCode: created.body.txCode }
  }

  async function tokenFor(extra: object = {}) {
    const made = await offer(extra)
    const token = await wallet.redeem(at(a, made.credentialIssuer), made.code, made.txCode)
    expect(token.status).toBe(200)
    return { ...made, accessToken: token.body.access_token as string }
  }

  const status = async (offerId: string) => (await b.call('GET', `/offers/${offerId}`, key)).body.status

  beforeAll(async () => {
    ;({ a, b, key, issuerId } = await issuerPair(createIssuerApp, env, 'Transit'))
    tenantId = key.split('.')[1] as string
  })
  afterAll(async () => {
    await b?.close()
    await a?.close()
  })

  it('counts wrong tx_codes over both instances and voids the code at the limit (5)', async () => {
    const made = await offer({ txCode: { length: 4 } })
    const wrong = made.txCode === '0000' ? '1111' : '0000'
    for (let attempt = 1; attempt <= 5; attempt++) {
      const service = attempt % 2 ? a : b
      const answer = await wallet.redeem(at(service, made.credentialIssuer), made.code, wrong)
      expect(answer.status).toBe(400)
      expect(answer.body.error).toBe('invalid_grant')
      expect(answer.body.error_description).toContain(
        attempt < 5 ? `${5 - attempt} attempt(s) left` : 'no attempts left',
      )
    }
    const right = await wallet.redeem(at(a, made.credentialIssuer), made.code, made.txCode)
    expect(right.status).toBe(400)
    expect(right.body.error).toBe('invalid_grant')
    expect(await status(made.offerId)).toBe('failed')

    // Below the limit the right code still works, once.
    const other = await offer({ txCode: { length: 4 } })
    const otherWrong = other.txCode === '0000' ? '1111' : '0000'
    for (let attempt = 1; attempt <= 4; attempt++) {
      await wallet.redeem(at(attempt % 2 ? a : b, other.credentialIssuer), other.code, otherWrong)
    }
    expect((await wallet.redeem(at(b, other.credentialIssuer), other.code, other.txCode)).status).toBe(200)
    expect((await wallet.redeem(at(a, other.credentialIssuer), other.code, other.txCode)).status).toBe(400)
  })

  it('answers a missing or unexpected tx_code invalid_request and a wrong one invalid_grant (OID4VCI 1.0 §6.3)', async () => {
    const grant = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'
    const needing = await offer({ txCode: { length: 4 } })
    const missing = await wallet.redeem(at(a, needing.credentialIssuer), needing.code)
    expect(missing).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
    expect(missing.body.error_description).toContain('requires a transaction code')
    const empty = await wallet.token(at(b, needing.credentialIssuer), {
      grant_type: grant,
      'pre-authorized_code': needing.code,
      tx_code: '',
    })
    expect(empty).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
    // Neither was a guess: the first wrong code leaves 4 of 5 attempts.
    const wrong = await wallet.redeem(
      at(a, needing.credentialIssuer),
      needing.code,
      needing.txCode === '0000' ? '1111' : '0000',
    )
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect(wrong.body.error_description).toContain('4 attempt(s) left')
    expect((await wallet.redeem(at(b, needing.credentialIssuer), needing.code, needing.txCode)).status).toBe(200)

    const plain = await offer()
    const unexpected = await wallet.redeem(at(b, plain.credentialIssuer), plain.code, '1234')
    expect(unexpected).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
    expect(unexpected.body.error_description).toContain('has no transaction code')
    // A code that is not the offer's tells nothing about its transaction code.
    const forged = `${plain.code.slice(0, -1)}${plain.code.endsWith('A') ? 'B' : 'A'}`
    expect((await wallet.redeem(at(a, plain.credentialIssuer), forged, '1234')).body.error).toBe('invalid_grant')
    expect((await wallet.redeem(at(a, plain.credentialIssuer), forged)).body.error).toBe('invalid_grant')
    expect((await wallet.redeem(at(a, plain.credentialIssuer), plain.code)).status).toBe(200)
    expect(await status(plain.offerId)).toBe('token_issued')
  })

  it('redeems a code once, whatever the number of concurrent token requests on both instances', async () => {
    const made = await offer()
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) => wallet.redeem(at(index % 2 ? a : b, made.credentialIssuer), made.code)),
    )
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1)
    expect(answers.filter((answer) => answer.body.error === 'invalid_grant')).toHaveLength(19)
  })

  it('lets a wallet retry after invalid_nonce or a bad proof; only success ends the offer', async () => {
    const made = await tokenFor()
    const issuer = at(a, made.credentialIssuer)
    const request = (proof: string) => ({ credential_configuration_id: 'pass', proofs: { jwt: [proof] } })

    const stale = await wallet.credential(issuer, made.accessToken, request(wallet.proof(made.credentialIssuer, 'x')))
    expect(stale).toMatchObject({ status: 400, body: { error: 'invalid_nonce' } })
    const nonce = await wallet.nonce(issuer)
    const forged = wallet.proof(made.credentialIssuer, nonce, { key: new HandWallet().privateKey })
    expect(await wallet.credential(issuer, made.accessToken, request(forged))).toMatchObject({
      status: 400,
      body: { error: 'invalid_proof' },
    })
    const future = wallet.proof(made.credentialIssuer, nonce, {
      payload: { iat: Math.floor(Date.now() / 1000) + 365 * 86400 },
    })
    expect((await wallet.credential(issuer, made.accessToken, request(future))).body.error).toBe('invalid_proof')
    const none = wallet.proof(made.credentialIssuer, nonce, { header: { alg: 'none' } })
    expect((await wallet.credential(issuer, made.accessToken, request(none))).body.error).toBe('invalid_proof')
    expect(await status(made.offerId)).toBe('token_issued')

    const issued = await wallet.credential(
      at(b, made.credentialIssuer),
      made.accessToken,
      request(wallet.proof(made.credentialIssuer, nonce)),
    )
    expect(issued.status).toBe(200)
    expect(issued.body.credentials).toHaveLength(1)
    expect(await status(made.offerId)).toBe('credential_issued')
  })

  it('issues one credential per offer without batches: one proof only, and one of concurrent requests on a token', async () => {
    const made = await tokenFor()
    const nonce = await wallet.nonce(at(a, made.credentialIssuer))
    const two = await wallet.credential(at(a, made.credentialIssuer), made.accessToken, {
      credential_configuration_id: 'pass',
      proofs: {
        jwt: [wallet.proof(made.credentialIssuer, nonce), new HandWallet().proof(made.credentialIssuer, nonce)],
      },
    })
    expect(two).toMatchObject({ status: 400, body: { error: 'invalid_credential_request' } })
    expect(two.body.error_description).toContain('does not issue batches')
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        wallet.credential(at(index % 2 ? a : b, made.credentialIssuer), made.accessToken, {
          credential_configuration_id: 'pass',
          proofs: { jwt: [wallet.proof(made.credentialIssuer, nonce)] },
        }),
      ),
    )
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1)
    expect(answers.filter((answer) => answer.body.error === 'credential_request_denied')).toHaveLength(9)
  })

  it('answers the error paths with the right codes', async () => {
    const made = await tokenFor()
    const issuer = at(a, made.credentialIssuer)
    const nonce = await wallet.nonce(issuer)
    const proofs = { jwt: [wallet.proof(made.credentialIssuer, nonce)] }

    const unknown = await wallet.credential(issuer, made.accessToken, { credential_configuration_id: 'nope', proofs })
    expect(unknown).toMatchObject({ status: 400, body: { error: 'unknown_credential_configuration' } })
    const inherited = await wallet.credential(issuer, made.accessToken, {
      credential_configuration_id: 'constructor',
      proofs,
    })
    expect(inherited.body.error).toBe('unknown_credential_configuration')

    for (const token of [
      undefined,
      'not-a-token',
      `${made.accessToken.slice(0, -1)}${made.accessToken.endsWith('A') ? 'Q' : 'A'}`,
    ]) {
      const answer = await wallet.credential(issuer, token, { credential_configuration_id: 'pass', proofs })
      expect(answer.status).toBe(401)
      expect(answer.body.error).toBe('invalid_token')
      expect(answer.headers.get('www-authenticate')).toMatch(
        /^Bearer error="invalid_token", error_description="[^"]+"$/,
      )
    }

    // A Bearer token under the DPoP scheme is refused (it is bound to no key), as is an unknown scheme.
    for (const [scheme, refusal] of [
      ['DPoP', 'is not DPoP-bound'],
      ['Basic', "'Basic' scheme is not supported"],
    ]) {
      const response = await fetch(`${issuer}/credential`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `${scheme} ${made.accessToken}` },
        body: JSON.stringify({ credential_configuration_id: 'pass', proofs }),
      })
      expect(response.status).toBe(401)
      expect(((await response.json()) as { error_description: string }).error_description).toContain(refusal)
    }
    const lowercase = await fetch(`${issuer}/credential`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `bearer ${made.accessToken}` },
      body: JSON.stringify({ credential_configuration_id: 'nope', proofs }),
    })
    expect(((await lowercase.json()) as { error: string }).error).toBe('unknown_credential_configuration')

    // The offer expires after the token was issued: the credential is refused, not a 500.
    const admin = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
    await admin.query(
      `UPDATE "${a.schema}".records SET value = jsonb_set(value, '{expiresAt}', '1'::jsonb) WHERE tenant_id = $1 AND id = $2`,
      [`tenant-${tenantId}`, made.offerId],
    )
    await admin.close()
    const late = await wallet.credential(issuer, made.accessToken, { credential_configuration_id: 'pass', proofs })
    expect(late).toMatchObject({ status: 400, body: { error: 'credential_request_denied' } })

    const unsupported = await wallet.token(issuer, { grant_type: 'client_credentials' })
    expect(unsupported).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } })
    const malformed = await wallet.token(issuer, { grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code' })
    expect(malformed).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
  })

  it('issues credentials that expire, and describes issuer, credential and claims for wallets', async () => {
    const display = [{ name: 'Transit pass', locale: 'en', background_color: '#12107c', text_color: '#ffffff' }]
    const configured = await a.call('PUT', `/issuers/${issuerId}/credential-configurations/monthly`, key, {
      vct: 'https://issuer.test/monthly',
      validitySeconds: 30 * 24 * 3600,
      display,
      claims: [{ name: 'zone', type: 'string', required: true, display: [{ name: 'Zone', locale: 'en' }] }],
    })
    expect(configured.status).toBe(200)
    expect((await a.call('PATCH', `/issuers/${issuerId}`, key, { display: [{ name: 'City Transit' }] })).status).toBe(
      200,
    )
    const created = await a.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'monthly',
      claims: { zone: 'A' },
    })
    const made = parseOffer(created.body.uri)
    const path = new URL(made.credentialIssuer).pathname
    // Read where the change was made (another instance sees it within ISSUER_METADATA_CACHE_SECONDS).
    const metadata = (await (
      await fetch(`${a.http.url}/.well-known/openid-credential-issuer${path}`)
    ).json()) as Metadata
    expect(metadata.display).toEqual([{ name: 'City Transit' }])
    expect(metadata.credential_configurations_supported.monthly.credential_metadata).toEqual({
      display,
      claims: [{ path: ['zone'], mandatory: true, display: [{ name: 'Zone', locale: 'en' }] }],
    })

    const token = await wallet.redeem(at(a, made.credentialIssuer), made.code)
    const nonce = await wallet.nonce(at(a, made.credentialIssuer))
    const issued = await wallet.credential(at(a, made.credentialIssuer), token.body.access_token, {
      credential_configuration_id: 'monthly',
      proofs: { jwt: [wallet.proof(made.credentialIssuer, nonce)] },
    })
    const payload = JSON.parse(Buffer.from(issued.body.credentials[0].credential.split('.')[1], 'base64url').toString())
    expect(payload.exp - payload.iat).toBe(30 * 24 * 3600)
    expect(payload.nbf).toBeUndefined()

    // An offer may shorten the validity and set its start, not lengthen it.
    const until = new Date(Date.now() + 7 * 86_400_000).toISOString()
    const from = new Date(Date.now() + 86_400_000).toISOString()
    const shortened = await a.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'monthly',
      claims: { zone: 'B' },
      credentialValidFrom: from,
      credentialValidUntil: until,
    })
    const short = parseOffer(shortened.body.uri)
    const shortToken = await wallet.redeem(at(b, short.credentialIssuer), short.code)
    const shortCredential = await wallet.credential(at(b, short.credentialIssuer), shortToken.body.access_token, {
      credential_configuration_id: 'monthly',
      proofs: { jwt: [wallet.proof(short.credentialIssuer, await wallet.nonce(at(b, short.credentialIssuer)))] },
    })
    const shortPayload = JSON.parse(
      Buffer.from(shortCredential.body.credentials[0].credential.split('.')[1], 'base64url').toString(),
    )
    expect(shortPayload.exp).toBe(Math.floor(Date.parse(until) / 1000))
    expect(shortPayload.nbf).toBe(Math.floor(Date.parse(from) / 1000))
    const tooLong = await a.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'monthly',
      claims: { zone: 'C' },
      credentialValidUntil: new Date(Date.now() + 90 * 86_400_000).toISOString(),
    })
    expect(tooLong).toMatchObject({ status: 400, body: { error: { code: 'invalid_validity' } } })
  })

  it('advertises only what is built', async () => {
    const { credentialIssuer } = await offer()
    const path = new URL(credentialIssuer).pathname
    const issuerMetadata = (await (
      await fetch(`${a.http.url}/.well-known/openid-credential-issuer${path}`)
    ).json()) as Metadata
    expect(issuerMetadata.credential_issuer).toBe(credentialIssuer)
    expect(issuerMetadata.credentials_supported).toBeUndefined()
    expect(issuerMetadata.token_endpoint).toBeUndefined()
    expect(issuerMetadata.batch_credential_issuance).toBeUndefined() // batch size 1 by default
    expect(issuerMetadata.notification_endpoint).toBe(`${credentialIssuer}/notification`)
    expect(issuerMetadata.credential_configurations_supported.pass.credential_signing_alg_values_supported).toEqual([
      'ES256',
    ])
    const server = (await (
      await fetch(`${a.http.url}/.well-known/oauth-authorization-server${path}`)
    ).json()) as Metadata
    // The authorization code flow and DPoP are built (docs/AUTHORIZATION.md); what is not stays out.
    expect(server.grant_types_supported).toContain('authorization_code')
    expect(server.pushed_authorization_request_endpoint).toBe(`${credentialIssuer}/par`)
    expect(server.dpop_signing_alg_values_supported).toEqual(['ES256', 'ES384', 'EdDSA'])
    expect(server.authorization_challenge_endpoint).toBeUndefined()
  })
})
