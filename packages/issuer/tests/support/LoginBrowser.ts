interface Cookie {
  name: string
  value: string
  path: string
}

/**
 * A browser as far as a login needs one: it follows redirects by hand (`redirect: manual`),
 * keeps cookies per host and path, fills the provider's development login and consent pages by
 * submitting their forms, and stops at the wallet's redirect URI. `route` maps a public URL to
 * the instance that serves it (a load balancer in front of the issuer's instances).
 */
export class LoginBrowser {
  private readonly cookies = new Map<string, Cookie[]>()
  /** Every URL the browser was sent to, in order (as public URLs). */
  public readonly visited: string[] = []

  public constructor(private readonly route: (url: URL) => URL = (url) => url) {}

  private cookieHeader(url: URL): string {
    return (this.cookies.get(url.host) ?? [])
      .filter((cookie) => url.pathname.startsWith(cookie.path))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ')
  }

  private keep(url: URL, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
      const [name = '', ...value] = pair.split('=')
      const pathAttribute = attributes.find((attribute) => attribute.toLowerCase().startsWith('path='))
      const path = pathAttribute ? pathAttribute.slice(5) : '/'
      const expired = attributes.some(
        (attribute) =>
          /^max-age=0$/i.test(attribute) ||
          (/^expires=/i.test(attribute) && Date.parse(attribute.slice(8)) <= Date.now()),
      )
      const jar = (this.cookies.get(url.host) ?? []).filter((cookie) => !(cookie.name === name && cookie.path === path))
      if (!expired) jar.push({ name, value: value.join('='), path })
      this.cookies.set(url.host, jar)
    }
  }

  /** One request as a browser sends it (the host's cookies for the path), no redirect followed. */
  public async request(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const publicUrl = new URL(url)
    this.visited.push(publicUrl.toString())
    const response = await fetch(this.route(publicUrl), {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        cookie: this.cookieHeader(publicUrl),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(init.form ? { body: new URLSearchParams(init.form) } : {}),
    })
    this.keep(publicUrl, response.headers)
    const location = response.headers.get('location')
    return {
      status: response.status,
      location: location ? new URL(location, publicUrl).toString() : undefined,
      body: await response.text(),
    }
  }

  /**
   * Follows redirects from `url`; at the provider's interaction pages logs in as `login` and
   * consents. Answers the URL of the redirect to `stopAt` (the wallet's redirect URI), or throws
   * with the last answer when the chain ends elsewhere.
   */
  public async login(url: string, login: string, stopAt: string): Promise<URL> {
    let next: string | undefined = url
    for (let hop = 0; hop < 20 && next; hop++) {
      if (next.startsWith(stopAt)) return new URL(next)
      const answer = await this.request(next)
      if (answer.status === 200 && /\/interaction\//.test(next)) {
        const prompt: Record<string, string> = answer.body.includes('name="login"')
          ? { prompt: 'login', login }
          : { prompt: 'consent' }
        next = (await this.request(next, { method: 'POST', form: prompt })).location
        continue
      }
      if (!answer.location)
        throw new Error(
          `The login stopped at ${next}: ${answer.status} ${answer.body.replace(/<style>[\s\S]*<\/style>/, '').slice(0, 1500)}`,
        )
      next = answer.location
    }
    throw new Error('Too many redirects')
  }
}
