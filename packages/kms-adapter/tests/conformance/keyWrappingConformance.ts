import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto'
import { Kms } from '@credo-ts/core'
import { KeyUnwrapError, type KeyWrapping, keyWrappingOf } from '../../src/KeyWrapping.js'
import { consoleLinesOf } from '../support/consoleLines.js'
import type { KmsUnderTest } from '../support/kmsBackends.js'

/** A P-256 private key as the verifier wraps it: PKCS#8 DER. */
export function privateKeyBytes(): Uint8Array {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }))
}

/** `wrapped` with one character in its middle changed (to another of the same alphabet). */
export function tampered(wrapped: string): string {
  const at = Math.floor(wrapped.length * 0.6)
  const swap = wrapped[at] === 'A' ? 'B' : 'A'
  return `${wrapped.slice(0, at)}${swap}${wrapped.slice(at + 1)}`
}

/**
 * The key wrapping contract, run unchanged against every backend: a wrapped key unwraps to the
 * same bytes in the same tenant and context and in no other, tampering and garbage are refused
 * with KeyUnwrapError, bad input is refused before any call, the first wraps of a new tenant may
 * race, and no key bytes appear in what is returned or logged.
 */
export function describeKeyWrappingConformance(name: string, create: () => Promise<KmsUnderTest>): void {
  describe(`key wrapping conformance: ${name}`, () => {
    let under: KmsUnderTest
    let wrapping: KeyWrapping
    const context = { purpose: 'oid4vp-response-key', requestId: 'request-1' }

    beforeAll(async () => {
      under = await create()
      wrapping = keyWrappingOf(under.kms) as KeyWrapping
      console.info(`Key wrapping suite running against ${under.label}`)
    })
    afterAll(() => under.dispose())

    it('unwraps what it wrapped, to the same bytes, and wraps the same key differently each time', async () => {
      expect(wrapping).not.toBeNull()
      const tenant = under.context('tenant-a')
      const key = privateKeyBytes()
      const first = await wrapping.wrapKey(tenant, { key, context })
      const second = await wrapping.wrapKey(tenant, { key, context })
      expect(first.wrappedKey).not.toBe(second.wrappedKey)
      for (const { wrappedKey } of [first, second]) {
        const { key: unwrapped } = await wrapping.unwrapKey(tenant, { wrappedKey, context })
        expect(Buffer.from(unwrapped).equals(Buffer.from(key))).toBe(true)
      }
    })

    it('refuses to unwrap in another tenant, with another context, tampered, or garbage (KeyUnwrapError)', async () => {
      const tenant = under.context('tenant-a')
      const { wrappedKey } = await wrapping.wrapKey(tenant, { key: privateKeyBytes(), context })
      // The other tenant has a wrapping key of its own.
      await wrapping.wrapKey(under.context('tenant-b'), { key: privateKeyBytes(), context })
      const attempts = [
        () => wrapping.unwrapKey(under.context('tenant-b'), { wrappedKey, context }),
        () => wrapping.unwrapKey(tenant, { wrappedKey, context: { ...context, requestId: 'request-2' } }),
        () => wrapping.unwrapKey(tenant, { wrappedKey, context: { ...context, extra: 'x' } }),
        () => wrapping.unwrapKey(tenant, { wrappedKey: tampered(wrappedKey), context }),
        () => wrapping.unwrapKey(tenant, { wrappedKey: 'not a wrapped key', context }),
        () => wrapping.unwrapKey(tenant, { wrappedKey: randomBytes(120).toString('base64'), context }),
      ]
      for (const [index, attempt] of attempts.entries()) {
        const error = await attempt().then(
          () => undefined,
          (caught: unknown) => caught,
        )
        expect({ index, refused: error instanceof KeyUnwrapError }).toEqual({ index, refused: true })
      }
    })

    it('refuses an empty or oversized key and an empty context value before calling the KMS', async () => {
      const tenant = under.context('tenant-a')
      for (const options of [
        { key: new Uint8Array(), context },
        { key: new Uint8Array(4097), context },
        { key: privateKeyBytes(), context: { purpose: '' } },
      ]) {
        await expect(wrapping.wrapKey(tenant, options)).rejects.toBeInstanceOf(Kms.KeyManagementError)
      }
    })

    it('lets the first wraps of a new tenant race (the wrapping key is made once)', async () => {
      const tenant = under.context(`tenant-race-${randomBytes(3).toString('hex')}`)
      const keys = Array.from({ length: 6 }, privateKeyBytes)
      const wrapped = await Promise.all(keys.map((key) => wrapping.wrapKey(tenant, { key, context })))
      for (const [index, { wrappedKey }] of wrapped.entries()) {
        const { key } = await wrapping.unwrapKey(tenant, { wrappedKey, context })
        expect(Buffer.from(key).equals(Buffer.from(keys[index] as Uint8Array))).toBe(true)
      }
    })

    it('never puts the key in what it returns, an error or a log line', async () => {
      const key = privateKeyBytes()
      const returned: unknown[] = []
      const logged = await consoleLinesOf(async () => {
        const tenant = under.context('tenant-leak')
        const { wrappedKey } = await wrapping.wrapKey(tenant, { key, context })
        returned.push(wrappedKey)
        const refused = await wrapping
          .unwrapKey(tenant, { wrappedKey, context: { purpose: 'other' } })
          .catch((error: Error) => error)
        returned.push({ message: (refused as Error).message, cause: String((refused as Error).cause) })
      })
      const everything = `${JSON.stringify(returned)}\n${logged.join('\n')}`
      const scalar = Buffer.from(
        createPrivateKey({ key: Buffer.from(key), format: 'der', type: 'pkcs8' }).export({ format: 'jwk' }).d as string,
        'base64url',
      )
      for (const encoding of ['base64', 'base64url', 'hex'] as const) {
        expect(everything).not.toContain(scalar.toString(encoding).slice(0, 20))
        expect(everything).not.toContain(Buffer.from(key).toString(encoding).slice(-40))
      }
    })
  })
}
