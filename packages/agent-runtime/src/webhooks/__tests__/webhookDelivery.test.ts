import { postJson } from '../postJson.js'
import { signWebhook, verifyWebhookSignature } from '../webhookSignature.js'

describe('webhook signatures', () => {
  const now = 1_800_000_000_000
  const timestamp = now / 1000

  it('verifies its own signature, and nothing else', () => {
    const header = signWebhook('secret', timestamp, '{"a":1}')
    expect(verifyWebhookSignature('secret', header, '{"a":1}', 300, now)).toBe(true)
    expect(verifyWebhookSignature('secret', header, '{"a":2}', 300, now)).toBe(false)
    expect(verifyWebhookSignature('other', header, '{"a":1}', 300, now)).toBe(false)
    expect(verifyWebhookSignature('secret', undefined, '{"a":1}', 300, now)).toBe(false)
  })

  it('refuses an old signature (a replayed delivery)', () => {
    const header = signWebhook('secret', timestamp - 600, '{}')
    expect(verifyWebhookSignature('secret', header, '{}', 300, now)).toBe(false)
  })
})

describe('webhook endpoints', () => {
  const options = { headers: {}, timeoutMillis: 2_000, allowInsecure: false }

  it('refuses plain http unless insecure endpoints are allowed', async () => {
    await expect(postJson('http://example.com/hook', '{}', options)).rejects.toThrow(/must be https/)
  })

  it('refuses internal addresses: loopback, private networks, cloud metadata', async () => {
    const urls = ['https://127.0.0.1:9/hook', 'https://10.0.0.1:9/hook', 'https://169.254.169.254/latest']
    // A name that resolves to an internal address is judged after the lookup.
    for (const url of [...urls, 'https://localhost:9/hook']) {
      await expect(postJson(url, '{}', options)).rejects.toThrow(/refused address/)
    }
  })
})
