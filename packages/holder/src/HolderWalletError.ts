import { CredoError } from '@credo-ts/core'

/** The root of the wallet SDK's own errors. */
export class HolderWalletError extends CredoError {}

/** The passphrase does not open this wallet. */
export class WalletPassphraseError extends HolderWalletError {}
