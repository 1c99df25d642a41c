import { KmsUnavailableError } from '../../KmsUnavailableError.js'
import { ResilientCaller } from '../ResilientCaller.js'

describe('ResilientCaller', () => {
  it('abandons an attempt at its deadline, however slowly the KMS answers, and retries it', async () => {
    const caller = new ResilientCaller('test', (error) => (error as { code?: string }).code === 'ETIMEDOUT', {
      timeoutMillis: 200,
      maxAttempts: 2,
      retryBaseDelayMillis: 1,
    })
    let attempts = 0
    const started = Date.now()
    const never = () => {
      attempts++
      return new Promise<never>(() => {})
    }
    await expect(caller.call(never, { idempotent: true, operation: 'sign' })).rejects.toBeInstanceOf(
      KmsUnavailableError,
    )
    expect(attempts).toBe(2)
    expect(Date.now() - started).toBeLessThan(1_500)
  })
})
