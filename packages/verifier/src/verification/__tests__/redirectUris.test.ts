import { describe, expect, it } from '@jest/globals'
import { redirectUri, redirectUriProblem } from '../redirectUris.js'

// What a same-device redirect URI may be: https pages; http only on a loopback host of a verifier
// that itself runs on http (development).

describe('redirect URIs', () => {
  it('accepts https pages and normalises them for exact comparison', () => {
    expect(redirectUriProblem('https://bank.example/verify/done?step=2', false)).toBeUndefined()
    expect(redirectUri(false).parse('https://Bank.Example/a/../done')).toBe('https://bank.example/done')
  })

  it('accepts http on loopback hosts only in development', () => {
    for (const uri of ['http://localhost:5173/done', 'http://127.0.0.1/done', 'http://[::1]:8080/done']) {
      expect(redirectUriProblem(uri, true)).toBeUndefined()
      expect(redirectUriProblem(uri, false)).toMatch(/only for localhost while the verifier itself runs on http/)
    }
    expect(redirectUriProblem('http://bank.example/done', true)).toMatch(/must be https/)
    expect(redirectUriProblem('http://localhost.bank.example/done', true)).toMatch(/must be https/)
  })

  it('refuses fragments, user information, other schemes and relative references', () => {
    expect(redirectUriProblem('https://bank.example/done#x', false)).toMatch(/fragment/)
    expect(redirectUriProblem('https://bank.example/done#', false)).toMatch(/fragment/)
    expect(redirectUriProblem('https://a:b@bank.example/done', false)).toMatch(/user information/)
    expect(redirectUriProblem('openid4vp://done', false)).toMatch(/must be https/)
    expect(redirectUriProblem('data:text/html,x', false)).toMatch(/must be https/)
    expect(redirectUriProblem('//bank.example/done', false)).toMatch(/absolute URL/)
    expect(redirectUri(false).safeParse(`https://bank.example/${'a'.repeat(2_000)}`).success).toBe(false)
  })
})
