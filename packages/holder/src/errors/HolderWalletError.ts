import { CredoError } from '@credo-ts/core'

/**
 * What went wrong, as an app reacts to it. Stable: apps switch on these; the message is for
 * people and may change. The holder README has the table of what each means and what to do.
 */
export type HolderWalletErrorCode =
  // Offers
  | 'invalid_offer'
  | 'unsupported_offer'
  | 'issuer_unreachable'
  | 'transaction_code_required'
  | 'wrong_transaction_code'
  | 'offer_expired'
  | 'offer_used'
  | 'untrusted_issuer'
  | 'invalid_credential'
  | 'issuance_failed'
  | 'authorization_required'
  | 'authorization_failed'
  | 'wallet_attestation_failed'
  | 'key_attestation_refused'
  // Presentation requests
  | 'invalid_request'
  | 'unsupported_request'
  | 'request_expired'
  | 'verifier_unreachable'
  | 'untrusted_verifier'
  | 'request_unsatisfiable'
  | 'no_matching_credential'
  | 'invalid_choice'
  | 'presentation_failed'
  | 'credential_instances_used'
  // The wallet itself
  | 'wrong_passphrase'
  | 'wallet_locked'
  | 'wallet_not_found'
  | 'invalid_options'
  /** @deprecated The KMS answers `wallet_locked` now. */
  | 'storage_locked'
  | 'invalid_trust_anchor'
  | 'credential_not_found'
  // Backups
  | 'backup_invalid'
  | 'backup_unsupported'
  | 'wallet_exists'

export interface HolderWalletErrorOptions {
  cause?: unknown
  /** Facts an app may show or act on (attempts left, the trust result, the issuer's error…). */
  details?: Record<string, unknown>
}

/** The one error class of the wallet SDK: `code` says what happened, `details` what is known about it. */
export class HolderWalletError extends CredoError {
  public readonly code: HolderWalletErrorCode
  public readonly details: Record<string, unknown>

  public constructor(code: HolderWalletErrorCode, message: string, options: HolderWalletErrorOptions = {}) {
    super(message, { cause: options.cause as Error | undefined })
    this.name = 'HolderWalletError'
    this.code = code
    this.details = options.details ?? {}
  }
}

/**
 * The passphrase does not open this wallet (`code` `wrong_passphrase`).
 * @deprecated Test `error.code === 'wrong_passphrase'` on {@link HolderWalletError} instead.
 */
export class WalletPassphraseError extends HolderWalletError {
  public constructor(message: string) {
    super('wrong_passphrase', message)
  }
}
