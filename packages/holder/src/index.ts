export {
  type AcceptOfferOptions,
  HolderWallet,
  type OpenHolderWalletOptions,
  type PresentReturn,
  type WalletCredential,
} from './HolderWallet.js'
export { HolderWalletError, WalletPassphraseError } from './HolderWalletError.js'
