import { HolderWalletError } from '../errors/HolderWalletError.js'
import { DataEncryptionKey } from '../keys/DataEncryptionKey.js'
import { type Argon2idParameters, assertStrongEnough, type PassphraseKdfStrength } from '../keys/passphraseKdf.js'
import { WalletKeyHeaderRecord } from '../keys/WalletKeyHeaderRecord.js'
import { unwrapDataKey, wrapDataKey } from '../keys/walletKeyHeader.js'

export const BACKUP_FORMAT = 'attesto-wallet-backup'
export const BACKUP_VERSION = 1

/**
 * A wallet backup as it is stored or moved: readable JSON that says what it is and how to open
 * it, and nothing else. The contents are sealed (AES-256-GCM) under a random key that is wrapped
 * under a key derived from the backup passphrase with Argon2id, exactly as a wallet wraps its
 * data-encryption key (same parameters, same wrapping).
 */
export interface WalletBackupEnvelope {
  format: typeof BACKUP_FORMAT
  version: typeof BACKUP_VERSION
  /** Argon2id parameters and salt of the backup passphrase. */
  kdf: Argon2idParameters
  /** The contents key, AES-256-GCM under the passphrase's key (bound to `kdf`). */
  wrappedKey: string
  /** The contents' JSON, AES-256-GCM under the contents key (bound to `wrappedKey`, hence to all above). */
  contents: string
}

/** The wrapping's label in place of a wallet id: a backup's key never opens as a wallet's, nor the reverse. */
const WRAP_LABEL = `${BACKUP_FORMAT}:v${BACKUP_VERSION}`
const contentsAad = (wrappedKey: string) => `${WRAP_LABEL}:contents:${wrappedKey}`

const invalid = (message: string, cause?: unknown) =>
  new HolderWalletError('backup_invalid', `${message}: the backup is damaged, altered or not a wallet backup`, {
    cause,
  })

/** Seals `contents` (any JSON) under `passphrase`: the backup's text. */
export async function sealBackup(
  contents: unknown,
  passphrase: string,
  strength: PassphraseKdfStrength,
): Promise<string> {
  const contentsKey = DataEncryptionKey.generate()
  try {
    const { kdf, wrappedKey } = await wrapDataKey(WRAP_LABEL, contentsKey, passphrase, strength)
    const sealed = await contentsKey.seal(JSON.stringify(contents), contentsAad(wrappedKey))
    const envelope: WalletBackupEnvelope = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      kdf,
      wrappedKey,
      contents: sealed,
    }
    return JSON.stringify(envelope)
  } finally {
    contentsKey.destroy()
  }
}

/** The envelope of a backup's text or bytes, checked before any key is derived (`backup_invalid`). */
export function readEnvelope(backup: string | Uint8Array): WalletBackupEnvelope {
  let envelope: Partial<WalletBackupEnvelope>
  try {
    envelope = JSON.parse(
      typeof backup === 'string' ? backup : new TextDecoder('utf-8', { fatal: true }).decode(backup),
    )
  } catch (error) {
    throw invalid('The backup is not JSON', error)
  }
  if (envelope?.format !== BACKUP_FORMAT) throw invalid('The backup does not say it is a wallet backup')
  if (envelope.version !== BACKUP_VERSION) {
    throw new HolderWalletError('backup_invalid', `Backups of version ${envelope.version} are not read by this version`)
  }
  const { kdf, wrappedKey, contents } = envelope
  if (typeof wrappedKey !== 'string' || typeof contents !== 'string' || kdf?.algorithm !== 'argon2id') {
    throw invalid('The backup lacks its key or contents')
  }
  if (typeof kdf.salt !== 'string' || kdf.salt.length < 22) throw invalid('The backup has no salt')
  try {
    // Also the upper bound: a backup cannot make the reader derive with 4 GiB or more.
    assertStrongEnough(kdf)
  } catch (error) {
    throw invalid('The backup asks for Argon2id parameters out of range', error)
  }
  return envelope as WalletBackupEnvelope
}

/** The contents of a backup: `wrong_passphrase` when the passphrase does not open it, `backup_invalid` when altered. */
export async function openBackup(backup: string | Uint8Array, passphrase: string): Promise<unknown> {
  const envelope = readEnvelope(backup)
  const header = new WalletKeyHeaderRecord({ kdf: envelope.kdf, wrappedKey: envelope.wrappedKey })
  const contentsKey = await unwrapDataKey(WRAP_LABEL, header, passphrase).catch((error: unknown) => {
    throw new HolderWalletError('wrong_passphrase', 'The passphrase does not open this backup', { cause: error })
  })
  try {
    return JSON.parse(await contentsKey.open(envelope.contents, contentsAad(envelope.wrappedKey)))
  } catch (error) {
    throw invalid('The contents do not open under their key', error)
  } finally {
    contentsKey.destroy()
  }
}
