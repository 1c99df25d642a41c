import { check, ProtocolError } from './ProtocolNotes.js'
import type { StepClient, StepResponse } from './StepClient.js'

/**
 * A browser reduced to what a login at an OpenID provider's development pages needs: it follows
 * redirects by hand, keeps the cookies each host sets (name and value; the pages here scope none
 * narrower than the host), submits the login form as `login` and the consent form, and stops at
 * the first redirect to `stopAt`. Each request is a step of its own (`stepOf` names it).
 */
export class BrowserLogin {
  private readonly cookies = new Map<string, Map<string, string>>()

  public constructor(
    private readonly client: StepClient,
    private readonly stepOf: (url: URL) => string,
  ) {}

  private async request(url: string, form?: Record<string, string>): Promise<StepResponse> {
    const target = new URL(url)
    const jar = this.cookies.get(target.host) ?? new Map<string, string>()
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await this.client.send(this.stepOf(target), url, {
      method: form ? 'POST' : 'GET',
      ...(form ? { form } : {}),
      headers: cookie ? { cookie } : {},
      status: [200, 302, 303],
      mediaType: null,
    })
    for (const line of [response.headers['set-cookie'] ?? []].flat()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
      const split = pair.indexOf('=')
      const name = pair.slice(0, split)
      const expired = attributes.some(
        (attribute) => /^max-age=0$/i.test(attribute) || /^expires=thu, 01 jan 1970/i.test(attribute),
      )
      if (expired) jar.delete(name)
      else jar.set(name, pair.slice(split + 1))
    }
    this.cookies.set(target.host, jar)
    return response
  }

  /** From `url` through the provider's login and consent to the redirect to `stopAt`: answers that URL. */
  public async login(url: string, login: string, stopAt: string): Promise<URL> {
    let next = url
    for (let hop = 0; hop < 20; hop++) {
      if (next.startsWith(stopAt)) return new URL(next)
      const answer = await this.request(next)
      const location = answer.headers.location
      if (answer.status === 200) {
        check(/\/interaction\//.test(next), 'login', `the login stopped at ${next} (${answer.status})`)
        const form: Record<string, string> = answer.text.includes('name="login"')
          ? { prompt: 'login', login }
          : { prompt: 'consent' }
        const submitted = await this.request(next, form)
        check(typeof submitted.headers.location === 'string', 'login', `no redirect after the ${form.prompt} form`)
        next = new URL(submitted.headers.location as string, next).toString()
        continue
      }
      check(typeof location === 'string', 'login', `a redirect without a location at ${next}`)
      next = new URL(location as string, next).toString()
    }
    throw new ProtocolError('login', 'more than 20 redirects')
  }
}
