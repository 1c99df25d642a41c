import { DomainError } from '../errors/DomainError.js'

/** Why a certificate chain was refused: stable codes that the services return as they are. */
export type CertificateChainErrorCode =
  | 'certificate_unreadable'
  | 'certificate_key_mismatch'
  | 'certificate_self_signed'
  | 'certificate_chain_broken'
  | 'certificate_not_yet_valid'
  | 'certificate_expired'
  | 'certificate_key_usage'
  | 'certificate_untrusted'

/** A certificate or chain that cannot be used (`invalid`), with a message a person can act on. */
export class CertificateChainError extends DomainError {
  declare public readonly code: CertificateChainErrorCode

  public constructor(code: CertificateChainErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
    this.name = 'CertificateChainError'
  }
}
