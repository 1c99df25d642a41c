import * as oauth from 'oauth4webapi'

/**
 * An oauth4webapi client of a credential issuer's authorisation server: its metadata discovered
 * (RFC 8414), a DPoP key, and request options that send every call where `route` says (an
 * instance's own address for the public URL the metadata names).
 */
export async function oauthClient(credentialIssuer: string, route: (url: string) => string) {
  const options = {
    [oauth.customFetch]: (url: string, init: RequestInit) => fetch(route(url), init),
    [oauth.allowInsecureRequests]: true,
  }
  const issuerUrl = new URL(credentialIssuer)
  const as = await oauth.processDiscoveryResponse(
    issuerUrl,
    await oauth.discoveryRequest(issuerUrl, { algorithm: 'oauth2', ...options }),
  )
  const client = { client_id: 'wallet-client' }
  const DPoP = oauth.DPoP(client as oauth.Client, await oauth.generateKeyPair('ES256'))
  return { as, client, DPoP, options }
}
