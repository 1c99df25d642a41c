import { TypedArrayEncoder } from '@credo-ts/core'
import { argon2id } from 'hash-wasm'
import { randomKeyBytes } from './DataEncryptionKey.js'

/** Argon2id parameters, stored with the wallet so that they can be raised later. */
export interface Argon2idParameters {
  algorithm: 'argon2id'
  /** Memory in KiB. */
  memoryKiB: number
  iterations: number
  parallelism: number
  /** base64url, 16 bytes. */
  salt: string
}

export type PassphraseKdfStrength = Pick<Argon2idParameters, 'memoryKiB' | 'iterations' | 'parallelism'>

/**
 * OWASP's password storage recommendation for Argon2id (m = 19 MiB, t = 2, p = 1), which runs in
 * a browser's WebAssembly as well as in node. Wallets made under weaker parameters are re-wrapped
 * under these when they are next opened.
 */
export const DEFAULT_KDF_STRENGTH: PassphraseKdfStrength = { memoryKiB: 19 * 1024, iterations: 2, parallelism: 1 }

/** Whether `stored` costs a guesser less than `wanted` in memory or in passes. */
export function isWeaker(stored: PassphraseKdfStrength, wanted: PassphraseKdfStrength): boolean {
  return stored.memoryKiB < wanted.memoryKiB || stored.iterations < wanted.iterations
}

/** Rejects parameters below the OWASP floor: a wallet is never made weaker than the default. */
export function assertStrongEnough(strength: PassphraseKdfStrength): void {
  const valid = [strength.memoryKiB, strength.iterations, strength.parallelism].every(
    (value) => Number.isInteger(value) && value > 0,
  )
  if (!valid || isWeaker(strength, DEFAULT_KDF_STRENGTH) || strength.memoryKiB > 4 * 1024 * 1024) {
    throw new RangeError(
      `Argon2id parameters must be at least m=${DEFAULT_KDF_STRENGTH.memoryKiB} KiB, t=${DEFAULT_KDF_STRENGTH.iterations} (and m at most 4 GiB)`,
    )
  }
}

export function newKdfParameters(strength: PassphraseKdfStrength = DEFAULT_KDF_STRENGTH): Argon2idParameters {
  return { algorithm: 'argon2id', ...strength, salt: TypedArrayEncoder.toBase64URL(randomKeyBytes(16)) }
}

/** The 32-byte key-encryption key of a passphrase under stored parameters. */
export async function deriveKeyEncryptionKey(passphrase: string, parameters: Argon2idParameters): Promise<Uint8Array> {
  const key = await argon2id({
    password: passphrase.normalize('NFC'),
    salt: TypedArrayEncoder.fromBase64(parameters.salt),
    memorySize: parameters.memoryKiB,
    iterations: parameters.iterations,
    parallelism: parameters.parallelism,
    hashLength: 32,
    outputType: 'binary',
  })
  return key
}
