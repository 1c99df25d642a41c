import type { AgentContext } from '@credo-ts/core'
import type { ActivityLog } from '../activity/ActivityLog.js'
import { HolderWalletError } from '../errors/HolderWalletError.js'
import type { WalletPlaceOptions, WalletPlatform } from '../platform/WalletPlatform.js'
import type { WalletKeys } from '../storage/WalletKeys.js'
import { openBackup, sealBackup } from './backupEnvelope.js'
import { assertContents, collectContents, restoreContents, type WalletBackupContents } from './walletContents.js'

export interface ExportWalletOptions {
  /**
   * The backup's own passphrase (the app asks for it; it may differ from the wallet's): Argon2id
   * with the wallet's parameters derives the key the backup is sealed under.
   */
  passphrase: string
}

/** Seals every record and key of the unlocked wallet into one backup, and notes it in the activity log. */
export async function exportWallet(
  agentContext: AgentContext,
  keys: WalletKeys,
  activityLog: ActivityLog,
  options: ExportWalletOptions,
): Promise<string> {
  if (!options?.passphrase) throw new HolderWalletError('invalid_options', 'A backup passphrase is required')
  const { storage, walletId } = keys.partition
  const contents = await collectContents(agentContext, walletId, await storage.recordTypes(walletId), keys.kms)
  const backup = await sealBackup(contents, options.passphrase, keys.strength)
  await activityLog.record({
    type: 'wallet_exported',
    party: walletId,
    detail: `${contents.records.length} records and ${contents.keys.length} keys`,
  })
  return backup
}

/** A backup's contents, checked (`wrong_passphrase`, `backup_invalid`). */
export async function readWalletBackup(backup: string | Uint8Array, passphrase: string): Promise<WalletBackupContents> {
  if (!passphrase) throw new HolderWalletError('wrong_passphrase', 'The backup passphrase is required')
  if (typeof backup !== 'string' && !(backup instanceof Uint8Array)) {
    throw new HolderWalletError('backup_invalid', 'A backup is the text or the bytes exportWallet returned')
  }
  const contents = await openBackup(backup, passphrase)
  assertContents(contents)
  return contents
}

/** `wallet_exists` when the place already holds rows of the wallet id (an import never writes over a wallet). */
export async function assertNoWallet(
  options: WalletPlaceOptions & { walletId?: string },
  platform: WalletPlatform,
): Promise<void> {
  const storage = await platform.open(options)
  try {
    const walletId = options.walletId ?? 'default'
    if ((await storage.store.recordTypes(walletId)).length > 0) {
      throw new HolderWalletError('wallet_exists', `There is a wallet '${walletId}' here already: import elsewhere`)
    }
  } finally {
    await storage.close()
  }
}

/** Writes a backup's contents into a new, empty wallet and notes where they came from. */
export async function restoreWallet(
  agentContext: AgentContext,
  keys: WalletKeys,
  activityLog: ActivityLog,
  contents: WalletBackupContents,
): Promise<void> {
  await restoreContents(agentContext, contents, keys.kms)
  await activityLog.record({
    type: 'wallet_imported',
    party: contents.walletId,
    detail: `Exported ${contents.exportedAt}: ${contents.records.length} records and ${contents.keys.length} keys`,
  })
}
