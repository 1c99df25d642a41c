import { createHash, hkdfSync, randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Kms } from '@credo-ts/core'

export interface MasterKey {
  /** 32 bytes for AES-256-GCM. */
  key: Buffer
  /** First 16 hex characters of the key's SHA-256: names the key without revealing it. */
  id: string
}

export function masterKeyFromBytes(bytes: Uint8Array): MasterKey {
  if (bytes.length !== 32) throw new Kms.KeyManagementError('The local KMS master key must be 32 bytes')
  const key = Buffer.from(bytes)
  return { key, id: createHash('sha256').update(key).digest('hex').slice(0, 16) }
}

/**
 * A 32-byte secret for `purpose` derived from `masterKey` (HKDF-SHA256). The same master key and
 * purpose always give the same secret; the master key itself never leaves.
 */
export function derivedSecret(masterKey: MasterKey, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey.key, 'attesto-derived-secret', purpose, 32))
}

/** A master key from its base64 form (as in configuration). */
export function masterKeyFromBase64(base64: string): MasterKey {
  return masterKeyFromBytes(Buffer.from(base64.trim(), 'base64'))
}

export interface LoadMasterKeyFileReturn {
  masterKey: MasterKey
  /** True when the file did not exist and a new key was written to it. */
  created: boolean
}

/**
 * Reads a master key file (base64, one line). With `createIfMissing`, a missing file is created
 * with 32 random bytes and mode 0600: the embedded default. Production should pass the key from
 * a secret store, or use a remote KMS.
 */
export async function loadMasterKeyFile(
  path: string,
  { createIfMissing = false } = {},
): Promise<LoadMasterKeyFileReturn> {
  try {
    return { masterKey: masterKeyFromBase64(await readFile(path, 'utf8')), created: false }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !createIfMissing) {
      throw new Kms.KeyManagementError(`Cannot read the local KMS master key file ${path}`, { cause: error as Error })
    }
  }
  const bytes = randomBytes(32)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, `${bytes.toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
  await chmod(path, 0o600)
  return { masterKey: masterKeyFromBytes(bytes), created: true }
}
