import { PostgresDatabase } from '@attesto/storage-service'
import { DATABASE_URL, startService } from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { tenantWithIssuer } from './support/issuerFixture.js'
import { LoginBrowser } from './support/LoginBrowser.js'
import { OAuthWallet, WALLET_REDIRECT_URI } from './support/OAuthWallet.js'
import { type startOpenIdProvider, tenantProvider } from './support/openIdProvider.js'

// Every refusal of the authorization code flow, each with the RFC's error code: PAR (RFC 9126,
// RFC 7636, RFC 9396, OID4VCI 1.0 §5), the authorization endpoint and the provider's callback
// (no redirect before the wallet's redirect URI is known good; CSRF), the token endpoint's
// authorization_code and refresh_token grants. oidc-provider is the tenant's provider.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>
type Body = Record<string, unknown>

const PUBLIC = 'http://issuer.test'
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

describe('authorization code flow refusals', () => {
  let service: Service
  let key = ''
  let issuerId = ''
  let tenantId = ''
  let bare = { key: '', issuerId: '' }
  let provider: Awaited<ReturnType<typeof startOpenIdProvider>>
  const route = (url: URL) =>
    url.host === 'issuer.test' ? new URL(url.toString().replace(PUBLIC, service.http.url)) : url
  const local = (url: string) => route(new URL(url)).toString()
  const issuerUrl = (id = issuerId) => `${PUBLIC}/oid4vci/${id}`
  const callbackUrl = () => `${issuerUrl()}/authorize/callback`

  async function form(path: string, fields: Record<string, string | string[]>, id = issuerId) {
    const body = new URLSearchParams()
    for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(name, one)
    const response = await fetch(local(`${issuerUrl(id)}${path}`), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    })
    return { status: response.status, body: (await response.json()) as Body }
  }

  const good = {
    client_id: 'wallet',
    response_type: 'code',
    redirect_uri: WALLET_REDIRECT_URI,
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    scope: 'card',
    state: 'wallet-state',
  }
  const par = (changes: Record<string, string | string[] | undefined> = {}, id = issuerId) => {
    const fields = Object.fromEntries(
      Object.entries({ ...good, ...changes }).filter(([, value]) => value !== undefined),
    ) as Record<string, string | string[]>
    return form('/par', fields, id)
  }
  const refused = async (answer: Promise<{ status: number; body: Body }>, error: string, description?: RegExp) => {
    const { status, body } = await answer
    expect({ status, error: body.error }).toEqual({ status: 400, error })
    if (description) expect(body.error_description).toMatch(description)
  }
  const authorizeUrl = (requestUri: string, clientId = 'wallet') =>
    `${issuerUrl()}/authorize?${new URLSearchParams({ client_id: clientId, request_uri: requestUri })}`

  /** PAR, then the browser's login up to the provider's redirect to the callback (not followed). */
  async function atCallback(login = 'ada') {
    const pushed = await par()
    const browser = new LoginBrowser(route)
    const callback = await browser.login(authorizeUrl(pushed.body.request_uri as string), login, callbackUrl())
    return { browser, callback }
  }

  /** A whole front channel: the code, as the wallet gets it. */
  async function code() {
    const { browser, callback } = await atCallback()
    const answer = await browser.request(callback.toString())
    return new URL(answer.location as string).searchParams.get('code') as string
  }

  const token = (fields: Record<string, string>) =>
    form('/token', {
      grant_type: 'authorization_code',
      redirect_uri: WALLET_REDIRECT_URI,
      code_verifier: VERIFIER,
      client_id: 'wallet',
      ...fields,
    })

  async function expire(id: string) {
    const admin = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
    await admin.query(
      `UPDATE "${service.schema}".records SET value = jsonb_set(value, '{expiresAt}', '1'::jsonb) WHERE tenant_id = $1 AND id = $2`,
      [`tenant-${tenantId}`, id],
    )
    await admin.close()
  }

  beforeAll(async () => {
    service = await startService('issuer', createIssuerApp, {
      PUBLIC_BASE_URL: PUBLIC,
      TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
      PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
      WEBHOOK_ALLOW_INSECURE: 'true',
    })
    ;({ key, issuerId } = await tenantWithIssuer(service, {
      label: 'Refusals',
      configurationId: 'card',
      vct: 'https://issuer.test/card',
      claims: [{ name: 'given_name', type: 'string', required: true }],
    }))
    tenantId = key.split('.')[1] as string
    await service.call('PUT', `/issuers/${issuerId}/credential-configurations/pass`, key, {
      vct: 'https://issuer.test/pass',
      claims: [{ name: 'given_name', type: 'string', required: true }],
    })
    bare = await tenantWithIssuer(service, {
      label: 'No provider',
      configurationId: 'card',
      vct: 'https://issuer.test/card',
      claims: [{ name: 'given_name', type: 'string' }],
    })
    provider = await tenantProvider(service, { key, issuerId, configurationId: 'card', callbackUrl: callbackUrl() }, [
      { sub: 'ada', given_name: 'Ada' },
    ])
  }, 60_000)
  afterAll(async () => {
    await provider?.close()
    await service?.close()
  })

  it('PAR: unauthorized_client without an identity provider; invalid_request for a malformed request', async () => {
    await refused(par({}, bare.issuerId), 'unauthorized_client', /no identity provider/)
    await refused(par({ client_id: undefined }), 'invalid_request', /client_id is required/)
    await refused(par({ client_id: ['wallet', 'other'] }), 'invalid_request', /client_id must be sent once/)
    await refused(par({ response_type: 'token' }), 'unsupported_response_type')
    await refused(par({ redirect_uri: undefined }), 'invalid_request', /redirect_uri is required/)
    await refused(par({ code_challenge: undefined }), 'invalid_request', /code_challenge is required/)
    await refused(par({ code_challenge_method: 'plain' }), 'invalid_request', /plain is refused/)
    await refused(par({ code_challenge_method: undefined }), 'invalid_request', /S256/)
    await refused(par({ code_challenge: 'short' }), 'invalid_request', /base64url SHA-256/)
    await refused(par({ scope: undefined }), 'invalid_request', /scope or authorization_details/)
    await refused(par({ request: 'eyJhbGciOiJub25lIn0.e30.' }), 'invalid_request', /request objects/)
  })

  it('PAR: redirect URIs must be https, a private-use scheme or loopback http, without fragment or credentials', async () => {
    for (const uri of [
      'javascript:alert(1)',
      'data:text/html,x',
      'http://wallet.example/cb',
      'https://wallet.example/cb#x',
      'https://user:pw@wallet.example/cb',
      'not a uri',
    ]) {
      await refused(par({ redirect_uri: uri }), 'invalid_request')
    }
    for (const uri of ['eudi-wallet://callback', 'http://127.0.0.1:8123/cb', 'https://wallet.example/cb?x=1']) {
      expect((await par({ redirect_uri: uri })).status).toBe(201)
    }
  })

  it('PAR: invalid_scope and invalid_authorization_details name what is wrong', async () => {
    await refused(par({ scope: 'nope' }), 'invalid_scope', /nope/)
    await refused(par({ scope: 'card pass' }), 'invalid_scope', /one credential configuration/)
    const sameScope = await service.call('PUT', `/issuers/${issuerId}/credential-configurations/other`, key, {
      vct: 'https://issuer.test/other',
      scope: 'card',
      claims: [{ name: 'given_name', type: 'string' }],
    })
    expect(sameScope).toMatchObject({ status: 409, body: { error: { code: 'scope_in_use' } } })
    await refused(par({ scope: 'pass' }), 'invalid_scope', /issued on an offer only/)
    const details = (value: unknown) => ({ scope: undefined, authorization_details: JSON.stringify(value) })
    await refused(par({ scope: undefined, authorization_details: '[' }), 'invalid_authorization_details', /JSON/)
    await refused(
      par(details([{ type: 'other', credential_configuration_id: 'card' }])),
      'invalid_authorization_details',
    )
    await refused(
      par(details([{ type: 'openid_credential', credential_configuration_id: 'x' }])),
      'invalid_authorization_details',
    )
    await refused(
      par(
        details([{ type: 'openid_credential', credential_configuration_id: 'card', locations: ['https://x.example'] }]),
      ),
      'invalid_authorization_details',
      /locations/,
    )
    await refused(par(details([{}, {}])), 'invalid_authorization_details')
  })

  it('PAR: an issuer_state must name a live offer of the authorization code grant, for the asked configuration', async () => {
    await refused(par({ issuer_state: `${crypto.randomUUID()}.${'a'.repeat(43)}` }), 'invalid_request', /issuer_state/)
    const preAuthorized = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'card',
      claims: { given_name: 'A' },
    })
    const code = JSON.parse(new URL(preAuthorized.body.uri).searchParams.get('credential_offer') as string).grants[
      'urn:ietf:params:oauth:grant-type:pre-authorized_code'
    ]['pre-authorized_code'] as string
    await refused(par({ issuer_state: code }), 'invalid_request', /issuer_state/)
    const made = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'A' },
      grant: 'authorization_code',
    })
    const issuerState = JSON.parse(new URL(made.body.uri).searchParams.get('credential_offer') as string).grants
      .authorization_code.issuer_state as string
    await refused(par({ issuer_state: issuerState, scope: 'card' }), 'invalid_scope', /is for 'pass'/)
    expect((await par({ issuer_state: issuerState, scope: 'pass' })).status).toBe(201)
    const mixed = await service.call('POST', '/offers', key, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'A' },
      grant: 'authorization_code',
      txCode: { length: 4 },
    })
    expect(mixed).toMatchObject({ status: 400, body: { error: { code: 'grant_option_invalid' } } })
  })

  it('authorize: refuses without redirecting until the request URI and client are known good; a request URI is used once', async () => {
    const browser = new LoginBrowser(route)
    const answer = async (url: string) => {
      const response = await browser.request(url)
      return { status: response.status, location: response.location, error: (JSON.parse(response.body) as Body).error }
    }
    const bad = { status: 400, location: undefined, error: 'invalid_request' }
    expect(await answer(`${issuerUrl()}/authorize?client_id=wallet`)).toEqual(bad)
    expect(await answer(authorizeUrl('urn:ietf:params:oauth:request_uri:nope'))).toEqual(bad)
    expect(await answer(authorizeUrl(`urn:ietf:params:oauth:request_uri:${crypto.randomUUID()}`))).toEqual(bad)
    const pushed = (await par()).body.request_uri as string
    expect(await answer(authorizeUrl(pushed, 'another-wallet'))).toEqual(bad)
    const first = await browser.request(authorizeUrl(pushed))
    expect(first.status).toBe(303)
    expect(first.location?.startsWith(provider.issuer)).toBe(true)
    expect(await answer(authorizeUrl(pushed))).toEqual(bad)

    const stale = (await par()).body.request_uri as string
    await expire(stale.split(':').pop() as string)
    expect(await answer(authorizeUrl(stale))).toEqual(bad)
  })

  it('callback: a missing state or a browser without the login cookie is refused (CSRF), not redirected', async () => {
    const noState = await new LoginBrowser(route).request(`${callbackUrl()}?code=x`)
    expect(noState.status).toBe(400)
    const { browser, callback } = await atCallback()
    const forged = await new LoginBrowser(route).request(callback.toString())
    expect({ status: forged.status, location: forged.location }).toEqual({ status: 400, location: undefined })
    expect(JSON.parse(forged.body)).toMatchObject({
      error: 'invalid_request',
      error_description: /not started in this browser/,
    })
    // The refusal changed nothing: the browser that started the login completes it.
    const real = await browser.request(callback.toString())
    expect(new URL(real.location as string).searchParams.get('code')).toBeTruthy()
    const replayed = await browser.request(callback.toString())
    expect(replayed.status).toBe(400)
  })

  it('callback: a login the user cancels at the provider reaches the wallet as access_denied, with state and iss', async () => {
    const pushed = (await par()).body.request_uri as string
    const browser = new LoginBrowser(route)
    const toProvider = (await browser.request(authorizeUrl(pushed))).location as string
    const interaction = (await browser.request(toProvider)).location as string
    const aborted = await browser.login(`${interaction}/abort`, 'ada', WALLET_REDIRECT_URI)
    expect(Object.fromEntries(aborted.searchParams)).toMatchObject({
      error: 'access_denied',
      state: 'wallet-state',
      iss: issuerUrl(),
    })
  })

  it('token: invalid_grant for a wrong verifier, redirect URI, client or a used, unknown or expired code; a failed try does not burn the code', async () => {
    const issued = await code()
    await refused(token({ code: issued, code_verifier: `${VERIFIER}x` }), 'invalid_grant', /PKCE/)
    await refused(
      token({ code: issued, redirect_uri: 'https://wallet.example/other' }),
      'invalid_grant',
      /redirect_uri/,
    )
    await refused(token({ code: issued, client_id: 'another-wallet' }), 'invalid_grant', /another client/)
    const answered = await token({ code: issued })
    expect(answered.status).toBe(200)
    await refused(token({ code: issued }), 'invalid_grant', /unknown, used or expired/)
    await refused(token({ code: `${crypto.randomUUID()}.${'a'.repeat(43)}` }), 'invalid_grant')
    await refused(token({ code: 'nonsense' }), 'invalid_grant')
    const stale = await code()
    await expire(stale.split('.')[0] as string)
    await refused(token({ code: stale }), 'invalid_grant', /unknown, used or expired/)
    await refused(token({ code: await code(), code_verifier: 'short' }), 'invalid_request', /RFC 7636/)
    await refused(
      form('/token', { grant_type: 'authorization_code', code: 'x', client_id: 'wallet' }),
      'invalid_request',
    )
  })

  it('refresh: the client must be the code’s; unknown tokens are invalid_grant; credential_identifier must be the token’s', async () => {
    const answered = await token({ code: await code() })
    const refresh = answered.body.refresh_token as string
    await refused(
      form('/token', { grant_type: 'refresh_token', refresh_token: refresh }),
      'invalid_request',
      /client_id/,
    )
    await refused(
      form('/token', { grant_type: 'refresh_token', refresh_token: refresh, client_id: 'x' }),
      'invalid_grant',
    )
    await refused(
      form('/token', {
        grant_type: 'refresh_token',
        refresh_token: `rt.${crypto.randomUUID()}.${'a'.repeat(43)}`,
        client_id: 'wallet',
      }),
      'invalid_grant',
    )
    // Refused above, the token still refreshes for its own client.
    expect(
      (await form('/token', { grant_type: 'refresh_token', refresh_token: refresh, client_id: 'wallet' })).status,
    ).toBe(200)
    const wallet = new OAuthWallet(issuerUrl(), ((url: string | URL, init?: RequestInit) =>
      fetch(local(url.toString()), init)) as typeof fetch)
    const credential = await wallet.credential(
      answered.body.access_token as string,
      answered.body.c_nonce as string,
      'pass',
    )
    expect(credential).toMatchObject({ status: 400, body: { error: 'unknown_credential_identifier' } })
  })

  it('REST: the identity provider is validated, never answers its secret, and its removal turns the flow off', async () => {
    const invalid = await service.call('PUT', '/identity-provider', bare.key, {
      issuer: 'nope',
      clientId: 'x',
      clientAuth: { method: 'none' },
    })
    expect(invalid.status).toBe(400)
    expect((await service.call('GET', '/identity-provider', bare.key)).status).toBe(404)
    const read = await service.call('GET', '/identity-provider', key)
    expect(read.status).toBe(200)
    expect(read.body.clientAuth).toEqual({ method: 'client_secret_basic' })
    expect(read.body.claimsEndpointSecret).toBeUndefined()
    const set = await service.call('PUT', '/identity-provider', bare.key, {
      issuer: 'https://login.example',
      clientId: 'x',
      clientAuth: { method: 'private_key_jwt' },
    })
    expect(set.status).toBe(201)
    expect(set.body.clientAuth.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' })
    expect((await service.call('DELETE', '/identity-provider', bare.key)).status).toBe(204)
    await refused(par({}, bare.issuerId), 'unauthorized_client')
  })
})
