import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { type MasterKey, masterKeyFromBytes } from '@attesto/kms-adapter'
import { type AgentContext, GenericRecordsApi } from '@credo-ts/core'
import { WalletPassphraseError } from '../errors/HolderWalletError.js'

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  length: number,
  options: object,
) => Promise<Buffer>
const RECORD_ID = 'attesto-wallet-kdf'
/** scrypt cost: about 0.1 s on a laptop, deliberately slow for guessing. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }

interface KdfParameters {
  salt: string
  /** HMAC of a constant under the derived key: tells a wrong passphrase at once. */
  check: string
}

const checkOf = (key: Buffer) => createHmac('sha256', key).update('attesto-wallet-passphrase-check').digest('base64url')

/**
 * The wallet's KMS master key, derived from the passphrase with scrypt. The salt and a check
 * value live in the wallet's own storage; the passphrase and the key never do.
 */
export async function walletMasterKey(agentContext: AgentContext, passphrase: string): Promise<MasterKey> {
  const records = agentContext.dependencyManager.resolve(GenericRecordsApi)
  const existing = await records.findById(RECORD_ID)
  if (!existing) {
    const salt = randomBytes(16)
    const key = await scryptAsync(passphrase, salt, 32, SCRYPT)
    await records.save({
      id: RECORD_ID,
      content: { salt: salt.toString('base64url'), check: checkOf(key) } satisfies KdfParameters,
    })
    return masterKeyFromBytes(key)
  }
  const { salt, check } = existing.content as unknown as KdfParameters
  const key = await scryptAsync(passphrase, Buffer.from(salt, 'base64url'), 32, SCRYPT)
  if (!timingSafeEqual(Buffer.from(checkOf(key)), Buffer.from(check))) {
    throw new WalletPassphraseError('The passphrase does not open this wallet')
  }
  return masterKeyFromBytes(key)
}
