export {
  type AcceptOfferOptions,
  HolderWallet,
  type OpenHolderWalletOptions,
  type PresentOptions,
  type PresentReturn,
  type WalletCredential,
} from './HolderWallet.js'
export { HolderWalletError, WalletPassphraseError } from './HolderWalletError.js'
