import { randomUUID } from 'node:crypto'
import { DevelopmentCa } from '@attesto/protocol-kit'
import type { startService } from '@attesto/testing'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose'
import * as oauth from 'oauth4webapi'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { loadIssuerProtocolConfig } from '../src/protocol/protocolConfig.js'
import { parseIssued } from './support/auth0Mdoc.js'
import { issuerPair, roundRobin, sharedInstanceEnv } from './support/issuerFixture.js'
import { certify, DOCTYPE, MDL } from './support/mdocFixture.js'
import { OAuthWallet, verifySdJwtVc } from './support/OAuthWallet.js'

// What the credential endpoint refuses of an external authorization server's access tokens
// (RFC 9068, RFC 6750 §3.1, RFC 9449 §7), each against a token that differs from an accepted one
// in that one respect. The server's keys are given in its configuration (no fetch); tokens are
// made with jose, the wallet side is oauth4webapi.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

const PUBLIC = 'http://issuer.test'
const SERVER = 'https://login.tenant.example/realms/students'
const now = () => Math.floor(Date.now() / 1000)

type SigningKey = { privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']; jwk: JWK }

describe('external access tokens: refusals', () => {
  const env = sharedInstanceEnv(PUBLIC, 'extref', { ISSUER_METADATA_CACHE_SECONDS: '0' })
  /** Instances that read the issuer's profile afresh on every request: a change on one is seen by the other at once. */
  const create: typeof createIssuerApp = (config, logger) =>
    createIssuerApp(config, logger, undefined, loadIssuerProtocolConfig(env))
  let a: Service
  let b: Service
  let key = ''
  let issuerId = ''
  let signing: SigningKey
  let stranger: SigningKey
  const { balanced } = roundRobin(PUBLIC, () => [a, b])
  const credentialIssuer = () => `${PUBLIC}/oid4vci/${issuerId}`

  async function keyPair(kid: string) {
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256' } }
  }

  /** An access token the issuer accepts, but for what `change` alters. */
  function accessToken(
    change: { claims?: JWTPayload; header?: Record<string, unknown>; key?: typeof signing } = {},
  ): Promise<string> {
    const signer = change.key ?? signing
    return new SignJWT({
      iss: SERVER,
      aud: credentialIssuer(),
      sub: 'ada',
      scope: 'pass',
      given_name: 'Ada',
      jti: randomUUID(),
      iat: now(),
      exp: now() + 300,
      client_id: 'wallet-client',
      ...change.claims,
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: signer.jwk.kid, ...change.header })
      .sign(signer.privateKey)
  }

  /** A credential request with the token (Bearer, or DPoP with the wallet's handle). */
  async function request(token: string, DPoP?: oauth.DPoPHandle) {
    const wallet = new OAuthWallet(credentialIssuer(), balanced, 'wallet-client', DPoP ? { DPoP } : {})
    return wallet.credential(token, await wallet.cNonce(balanced), { configurationId: 'pass' })
  }

  /** A raw credential request under `authorization`, answering the status, body and challenge. */
  async function raw(authorization: string) {
    const response = await balanced(`${credentialIssuer()}/credential`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ credential_configuration_id: 'pass' }),
    })
    const body = (await response.json()) as { error: string; error_description: string }
    return { status: response.status, body, challenge: response.headers.get('www-authenticate') ?? '' }
  }

  const setServer = (extra: Record<string, unknown> = {}) =>
    a.call('PUT', `/issuers/${issuerId}/authorization-server`, key, {
      issuer: SERVER,
      jwks: { keys: [signing.jwk] },
      claimsSources: { '*': { type: 'access_token', mapping: { given_name: 'given_name' } } },
      ...extra,
    })

  beforeAll(async () => {
    ;({ a, b, key, issuerId } = await issuerPair(create, env, 'External token refusals'))
    signing = await keyPair('k1')
    stranger = await keyPair('k2')
    expect((await setServer()).status).toBe(201)
  }, 60_000)

  afterAll(async () => {
    await b?.close()
    await a?.close()
  })

  it('issues on a well-formed token, named by scope or by authorization_details', async () => {
    const issued = await request(await accessToken())
    expect(issued.status).toBe(200)
    const credential = (issued.body.credentials as { credential: string }[])[0]?.credential as string
    expect((await verifySdJwtVc(credential)).claims).toEqual({ given_name: 'Ada' })
    const detailed = await accessToken({
      claims: {
        scope: undefined,
        authorization_details: [{ type: 'openid_credential', credential_configuration_id: 'pass' }],
      },
    })
    expect((await request(detailed)).status).toBe(200)
  })

  it('issues a draft 13 mdoc request (format and doctype) on a token that grants several configurations', async () => {
    // A second issuer of the tenant, with a document-signer certificate of a development IACA.
    const mdocIssuerId = (await a.call('POST', '/issuers', key, {})).body.issuerId as string
    const ca = await DevelopmentCa.create({ name: 'Example National', country: 'NL' })
    expect((await certify(a, key, mdocIssuerId, ca)).status).toBe(200)
    const configurations = {
      mdl: { format: 'mso_mdoc', doctype: DOCTYPE, namespaces: { [MDL]: [{ name: 'given_name', type: 'string' }] } },
      card: { vct: 'https://issuer.test/card', claims: [{ name: 'given_name', type: 'string' }] },
    }
    for (const [id, configuration] of Object.entries(configurations)) {
      const saved = await a.call('PUT', `/issuers/${mdocIssuerId}/credential-configurations/${id}`, key, configuration)
      expect(saved.status).toBe(200)
    }
    const server = await a.call('PUT', `/issuers/${mdocIssuerId}/authorization-server`, key, {
      issuer: SERVER,
      jwks: { keys: [signing.jwk] },
      claimsSources: {
        mdl: { type: 'access_token', mapping: { [MDL]: 'mdl' } },
        card: { type: 'access_token', mapping: { given_name: 'given_name' } },
      },
    })
    expect(server.status).toBe(201)
    const mdocCredentialIssuer = `${PUBLIC}/oid4vci/${mdocIssuerId}`
    const token = await accessToken({
      claims: { aud: mdocCredentialIssuer, scope: 'card mdl', mdl: { given_name: 'Ada' } },
    })
    const wallet = new OAuthWallet(mdocCredentialIssuer, balanced, 'wallet-client')
    const other = await wallet.credential(token, await wallet.cNonce(balanced), {
      format: 'mso_mdoc',
      doctype: 'org.example.other.1',
    })
    expect([other.status, other.body.error]).toEqual([400, 'unknown_credential_identifier'])
    const issued = await wallet.credential(token, await wallet.cNonce(balanced), {
      format: 'mso_mdoc',
      doctype: DOCTYPE,
    })
    expect(issued.status).toBe(200)
    const credential = (issued.body.credentials as { credential: string }[])[0]?.credential as string
    const document = parseIssued(DOCTYPE, Buffer.from(credential, 'base64url'))
    expect(document.issuerSigned.issuerAuth.decodedPayload.docType).toBe(DOCTYPE)
    expect(document.getIssuerNameSpace(MDL)).toEqual({ given_name: 'Ada' })
  })

  it.each([
    ['another issuer', { claims: { iss: 'https://elsewhere.example' } }, /invalid or expired/],
    ['another audience', { claims: { aud: 'https://other-resource.example' } }, /'aud'/],
    ['expired beyond the allowed skew', { claims: { exp: now() - 120, iat: now() - 600 } }, /expired/],
    ['not valid yet', { claims: { nbf: now() + 300 } }, /'nbf'/],
    ['without sub', { claims: { sub: undefined } }, /'sub'/],
    ['typ JWT instead of at+jwt', { header: { typ: 'JWT' } }, /'typ'/],
    ['a key the JWKS lacks', { key: 'stranger' }, /does not have/],
  ] as const)('refuses a token from %s: 401 invalid_token', async (_name, change, description) => {
    const token = await accessToken('key' in change ? { key: stranger } : change)
    const refused = await raw(`Bearer ${token}`)
    expect(refused.status).toBe(401)
    expect(refused.body.error).toBe('invalid_token')
    expect(refused.body.error_description).toMatch(description)
    expect(refused.challenge).toMatch(/^Bearer error="invalid_token"/)
  })

  it('refuses a token whose signature does not hold (one payload character changed)', async () => {
    const [header, payload, signature] = (await accessToken()).split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'mallory' })).toString('base64url')
    const refused = await raw(`Bearer ${header}.${forged}.${signature}`)
    expect(refused.status).toBe(401)
    expect(refused.body.error_description).toMatch(/signature/)
  })

  it('refuses a token that grants no configuration of the issuer: 403 insufficient_scope', async () => {
    const refused = await raw(`Bearer ${await accessToken({ claims: { scope: 'openid profile' } })}`)
    expect(refused.status).toBe(403)
    expect(refused.body.error).toBe('insufficient_scope')
    expect(refused.challenge).toMatch(/^Bearer error="insufficient_scope"/)
  })

  it('takes a cnf.jkt-bound token only with a DPoP proof of that key', async () => {
    const pair = await oauth.generateKeyPair('ES256')
    const jkt = await calculateJwkThumbprint(await exportJWK(pair.publicKey))
    const bound = await accessToken({ claims: { cnf: { jkt } } })
    const asBearer = await raw(`Bearer ${bound}`)
    expect(asBearer.status).toBe(401)
    expect(asBearer.body.error_description).toMatch(/DPoP-bound/)
    const withoutProof = await raw(`DPoP ${bound}`)
    expect(withoutProof.status).toBe(401)
    expect(withoutProof.body.error).toBe('invalid_dpop_proof')
    const otherKey = await request(bound, oauth.DPoP({}, await oauth.generateKeyPair('ES256')))
    expect(otherKey.status).toBe(401)
    expect(otherKey.body.error).toBe('invalid_token')
    expect((await request(bound, oauth.DPoP({}, pair))).status).toBe(200)
  })

  it('applies the issuer’s DPoP policy: required refuses unbound tokens', async () => {
    expect((await a.call('PATCH', `/issuers/${issuerId}`, key, { dpop: 'required' })).status).toBe(200)
    const refused = await raw(`Bearer ${await accessToken()}`)
    expect(refused.status).toBe(401)
    expect(refused.body.error_description).toMatch(/DPoP-bound access tokens only/)
    expect((await a.call('PATCH', `/issuers/${issuerId}`, key, { dpop: 'optional' })).status).toBe(200)
  })

  it('with its own server switched off: only the external one listed, no offers, no token or PAR requests', async () => {
    expect((await setServer({ ownAuthorizationServer: false })).status).toBe(200)
    const metadata = (await (
      await balanced(`${PUBLIC}/.well-known/openid-credential-issuer/oid4vci/${issuerId}`)
    ).json()) as Record<string, unknown>
    expect(metadata.authorization_servers).toEqual([SERVER])
    const offer = await b.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Grace' },
    })
    expect(offer.status).toBe(409)
    expect(offer.body.error.code).toBe('own_authorization_server_disabled')
    for (const [endpoint, error] of [
      ['token', 'unsupported_grant_type'],
      ['par', 'invalid_request'],
    ]) {
      const response = await balanced(`${credentialIssuer()}/${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=authorization_code&client_id=wallet-client',
      })
      expect(response.status).toBe(400)
      expect(((await response.json()) as { error: string }).error).toBe(error)
    }
    expect((await request(await accessToken())).status).toBe(200)
    expect((await setServer({ ownAuthorizationServer: true })).status).toBe(200)
  })

  it('validates the configuration (400 with a stable code) and forgets the server on DELETE', async () => {
    const bad = async (body: Record<string, unknown>) =>
      (await a.call('PUT', `/issuers/${issuerId}/authorization-server`, key, body)).body.error.code
    const base = { issuer: SERVER, claimsSources: { '*': { type: 'deferred' } } }
    expect(await bad({ ...base, claimsSources: { nope: { type: 'deferred' } } })).toBe(
      'unknown_credential_configuration',
    )
    expect(await bad({ ...base, claimsSources: { pass: { type: 'deferred' } } })).toBe('claims_source_invalid')
    expect(await bad({ ...base, issuer: credentialIssuer() })).toBe('authorization_server_invalid')
    expect(await bad({ ...base, jwks: { keys: [signing.jwk] }, jwksUri: `${SERVER}/certs` })).toBe('invalid_request')
    expect(await bad({ ...base, claimsSources: {} })).toBe('invalid_request')
    expect(await bad({ ...base, issuer: 'not a url' })).toBe('invalid_request')
    const other = (await a.call('POST', '/tenants', a.adminApiKey, { label: 'Other' })).body.apiKey as string
    expect((await a.call('GET', `/issuers/${issuerId}/authorization-server`, other)).status).toBe(404)

    expect((await b.call('DELETE', `/issuers/${issuerId}/authorization-server`, key)).status).toBe(204)
    expect((await a.call('GET', `/issuers/${issuerId}/authorization-server`, key)).body.error.code).toBe(
      'authorization_server_not_found',
    )
    const metadata = (await (
      await balanced(`${PUBLIC}/.well-known/openid-credential-issuer/oid4vci/${issuerId}`)
    ).json()) as Record<string, unknown>
    expect(metadata.authorization_servers).toBeUndefined()
    expect((await raw(`Bearer ${await accessToken()}`)).status).toBe(401)
  })
})
