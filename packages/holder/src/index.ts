export type { CredentialStatusReport } from './CredentialStatusReader.js'
export type { PendingCredential } from './DeferredCredentials.js'
export {
  type AcceptOfferOptions,
  HolderWallet,
  type OpenHolderWalletOptions,
  type PresentOptions,
  type PresentReturn,
  type WaitForDeferredOptions,
  type WalletCredential,
} from './HolderWallet.js'
export { HolderWalletError, WalletPassphraseError } from './HolderWalletError.js'
export type { WalletHttpOptions } from './walletFetch.js'
