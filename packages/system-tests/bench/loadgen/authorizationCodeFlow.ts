import { createHash, randomBytes } from 'node:crypto'
import { BrowserLogin } from './BrowserLogin.js'
import { HolderKey } from './HolderKey.js'
import { check } from './ProtocolNotes.js'
import { wellKnownUrl } from './redeemOffer.js'
import type { StepClient } from './StepClient.js'
import { checkIssuedSdJwtVc, type SdJwtVc } from './sdJwtVc.js'

/** The wallet's redirect URI: never fetched, the flow stops at the redirect to it. */
export const WALLET_REDIRECT_URI = 'https://wallet.example/callback'
const WALLET_CLIENT_ID = 'bench-wallet'

export interface AuthorizationCodeTarget {
  /** The credential issuer identifier (its metadata is discovered from it). */
  credentialIssuer: string
  configurationId: string
  /** The account to log in as at the tenant's OpenID provider. */
  login: string
  vct: string
  claims: Record<string, unknown>
}

/** The authorization server's endpoints, from its metadata (RFC 8414), checked. */
async function authorizationServer(client: StepClient, credentialIssuer: string) {
  const metadata = await client.json('GET issuer metadata', wellKnownUrl(credentialIssuer, 'openid-credential-issuer'))
  const server: string = metadata.authorization_servers?.[0] ?? credentialIssuer
  const step = 'GET authorisation-server metadata'
  const as = await client.json(step, wellKnownUrl(server, 'oauth-authorization-server'))
  for (const name of ['pushed_authorization_request_endpoint', 'authorization_endpoint', 'token_endpoint'])
    check(typeof as[name] === 'string', step, `no ${name}`)
  check(as.code_challenge_methods_supported?.includes('S256'), step, 'PKCE S256 is not supported')
  return { metadata, as, server }
}

/**
 * A wallet's OID4VCI 1.0 authorization code issuance as plain HTTP: metadata, a pushed
 * authorization request with PKCE S256 and one `openid_credential` authorization detail, the
 * browser through the authorization endpoint, the login at the tenant's OpenID provider and the
 * issuer's callback to the wallet's redirect URI (`state` and RFC 9207 `iss` checked), the token
 * with the code verifier, a `c_nonce`, and the credential with a proof of a new key, checked.
 */
export async function authorizationCodeIssuance(client: StepClient, target: AuthorizationCodeTarget): Promise<SdJwtVc> {
  const { metadata, as, server } = await authorizationServer(client, target.credentialIssuer)
  const codeVerifier = randomBytes(32).toString('base64url')
  const state = randomBytes(16).toString('base64url')
  const pushed = await client.json('POST par', as.pushed_authorization_request_endpoint, {
    form: {
      client_id: WALLET_CLIENT_ID,
      response_type: 'code',
      redirect_uri: WALLET_REDIRECT_URI,
      code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
      state,
      authorization_details: JSON.stringify([
        { type: 'openid_credential', credential_configuration_id: target.configurationId },
      ]),
    },
    status: 201,
  })
  check(typeof pushed.request_uri === 'string', 'POST par', 'no request_uri')
  const authorize = new URL(as.authorization_endpoint)
  authorize.searchParams.set('client_id', WALLET_CLIENT_ID)
  authorize.searchParams.set('request_uri', pushed.request_uri)
  const issuerHost = new URL(target.credentialIssuer).host
  const browser = new BrowserLogin(client, (url) =>
    url.host !== issuerHost
      ? 'provider (not ours)'
      : url.pathname.endsWith('/callback')
        ? 'GET authorize/callback'
        : 'GET authorize',
  )
  const redirect = await browser.login(authorize.toString(), target.login, WALLET_REDIRECT_URI)
  const code = redirect.searchParams.get('code')
  check(redirect.searchParams.get('state') === state, 'GET authorize/callback', 'the state came back changed')
  check(
    redirect.searchParams.get('iss') === server,
    'GET authorize/callback',
    `iss is ${redirect.searchParams.get('iss')}`,
  )
  check(code, 'GET authorize/callback', `no code: ${redirect.search}`)
  const token = await client.json('POST token', as.token_endpoint, {
    form: {
      grant_type: 'authorization_code',
      code,
      redirect_uri: WALLET_REDIRECT_URI,
      code_verifier: codeVerifier,
      client_id: WALLET_CLIENT_ID,
    },
  })
  check(typeof token.access_token === 'string', 'POST token', 'no access_token')
  const { c_nonce: nonce } = await client.json('POST nonce', metadata.nonce_endpoint, { method: 'POST' })
  check(typeof nonce === 'string', 'POST nonce', 'no c_nonce')
  const holderKey = new HolderKey()
  const proof = holderKey.sign(
    { typ: 'openid4vci-proof+jwt', jwk: holderKey.publicJwk },
    { aud: target.credentialIssuer, iat: Math.floor(Date.now() / 1000), nonce },
  )
  const identifier = token.authorization_details?.[0]?.credential_identifiers?.[0] ?? target.configurationId
  const answer = await client.json('POST credential', metadata.credential_endpoint, {
    headers: { authorization: `${token.token_type ?? 'Bearer'} ${token.access_token}` },
    json: { credential_identifier: identifier, proofs: { jwt: [proof] } },
  })
  const [issued, ...extra] = answer.credentials ?? []
  check(typeof issued?.credential === 'string' && extra.length === 0, 'POST credential', 'expected one credential')
  return checkIssuedSdJwtVc('POST credential', issued.credential, { ...target, holderKey })
}
