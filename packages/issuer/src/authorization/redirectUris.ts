/** Schemes a browser would run or read locally rather than hand to an app: never a redirect target. */
const REFUSED_SCHEMES = new Set([
  'javascript:',
  'data:',
  'file:',
  'vbscript:',
  'blob:',
  'about:',
  'filesystem:',
  'ws:',
  'wss:',
])

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost'])

/**
 * Why a wallet's `redirect_uri` is refused, or undefined when it is allowed. Wallets are public
 * clients without registration here, so the rule is the URI's shape (RFC 8252, RFC 9700 §4.1):
 * an absolute `https` URI; a private-use scheme of a native app (`eudi-wallet://…`,
 * `com.example.wallet:/cb`); or `http` on a loopback address (RFC 8252 §7.3). Never a fragment,
 * credentials in the URI, or a scheme a browser runs itself. The URI of the PAR is then matched
 * exactly, byte for byte, at the token endpoint.
 */
export function redirectUriProblem(value: string): string | undefined {
  if (value.length > 2000) return 'redirect_uri is longer than 2000 characters'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'redirect_uri must be an absolute URI'
  }
  if (value.includes('#')) return 'redirect_uri must not have a fragment'
  if (url.username || url.password) return 'redirect_uri must not carry credentials'
  if (url.protocol === 'https:') return url.hostname ? undefined : 'an https redirect_uri needs a host'
  if (url.protocol === 'http:') {
    return LOOPBACK_HOSTS.has(url.hostname) ? undefined : 'an http redirect_uri is allowed on a loopback address only'
  }
  if (REFUSED_SCHEMES.has(url.protocol)) return `the '${url.protocol}' scheme is not a redirect target`
  return undefined
}
