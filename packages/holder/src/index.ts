export type { ActivityEntry, ActivityType } from './activity/ActivityLog.js'
export type { OpenHolderWalletOptions } from './agent/openWalletAgent.js'
export type {
  BeginAuthorizationOptions,
  BeginAuthorizationReturn,
} from './authorization/AuthorizationCodeFlow.js'
export type { WalletAttestationHook, WalletAttestationRequest } from './authorization/walletAttestation.js'
export type { ExportWalletOptions } from './backup/walletBackup.js'
export type { CredentialQuery } from './credentials/credentialRecords.js'
export type { DeleteCredentialOptions, DeleteCredentialReturn } from './credentials/deleteCredential.js'
export type { MdocElement, MdocWalletCredential } from './credentials/MdocCredential.js'
export type {
  CredentialInstances,
  SdJwtWalletCredential,
  WalletCredential,
} from './credentials/WalletCredential.js'
export {
  type ClaimDisplay,
  type ClaimLabel,
  type ClaimPath,
  claimLabel,
  type IssuerDisplay,
  type LocalizedDisplay,
  type Logo,
  pickLocale,
} from './display/displayTypes.js'
export {
  HolderWalletError,
  type HolderWalletErrorCode,
  WalletPassphraseError,
} from './errors/HolderWalletError.js'
export {
  HolderWallet,
  type ImportHolderWalletOptions,
  type PresentOptions,
  type PresentReturn,
  type WaitForDeferredOptions,
} from './HolderWallet.js'
export type { WalletHttpOptions } from './http/walletFetch.js'
export type { KeyAttestationHook, KeyAttestationRequest } from './issuance/credentialBinding.js'
export type { PendingCredential } from './issuance/DeferredCredentials.js'
export type { AcceptOfferOptions } from './issuance/offerChecks.js'
export type {
  OfferedCredential,
  OfferGrant,
  ResolvedOffer,
  TransactionCodeSpec,
} from './issuance/ResolvedOffer.js'
export type { CryptoKeyStore, UsableKey } from './keys/CryptoKeyStore.js'
export { DEFAULT_KDF_STRENGTH, type PassphraseKdfStrength } from './keys/passphraseKdf.js'
export { WebCryptoKeyManagementService } from './keys/WebCryptoKeyManagementService.js'
export type {
  WalletPlaceOptions,
  WalletPlatform,
  WalletPlatformStorage,
  WalletRecordStore,
} from './platform/WalletPlatform.js'
export type { DisclosedClaim, PresentationCandidate } from './presentation/disclosedClaims.js'
export type { AcceptPresentationOptions } from './presentation/PresentationRequests.js'
export type { PresentationChoice } from './presentation/presentationChoice.js'
export type {
  CredentialQueryView,
  CredentialSetView,
  ResolvedPresentationRequest,
} from './presentation/ResolvedRequest.js'
export type { RequestVerifier } from './presentation/requestVerifier.js'
export type { DeclineOptions, PresentationResponse, VerifierError } from './presentation/verifierAnswer.js'
export type { CredentialStatusReport } from './status/CredentialStatusReader.js'
export type {
  CertificateTrust,
  PartyTrustOptions,
  TrustBasis,
  TrustPolicyOptions,
  TrustResult,
  UntrustedCode,
} from './trust/TrustPolicy.js'
