import { HolderWalletError } from '../errors/HolderWalletError.js'
import type { ResolvedOffer, TransactionCodeSpec } from './ResolvedOffer.js'

/** What the holder asks of an offer (the options of `acceptOffer`). */
export interface AcceptOfferOptions {
  /** The transaction code the issuer sent out of band, when the offer asks for one. */
  txCode?: string
  /** Which offered credentials to take (default: every offered SD-JWT VC). */
  configurationIds?: string[]
  /** Under the `ask` policy: keep credentials whose issuer the wallet does not trust. */
  acceptUntrusted?: boolean
}

const SD_JWT_FORMATS = new Set(['dc+sd-jwt', 'vc+sd-jwt'])

function fitsSpec(code: string, spec: TransactionCodeSpec): boolean {
  if (spec.length !== undefined && code.length !== spec.length) return false
  return spec.inputMode !== 'numeric' || /^[0-9]+$/.test(code)
}

/** The configurations to request, checked against the offer before anything is sent. */
export function configurationsToRequest(resolved: ResolvedOffer, options: AcceptOfferOptions): string[] {
  if (resolved.grant.type !== 'pre-authorized_code') {
    throw new HolderWalletError(
      'unsupported_offer',
      'This offer uses the authorization code flow, which this wallet does not support yet',
      { details: { grant: resolved.grant } },
    )
  }
  const spec = resolved.grant.transactionCode
  if (spec && !options.txCode) {
    throw new HolderWalletError('transaction_code_required', 'This offer needs the transaction code the issuer sent', {
      details: { transactionCode: spec },
    })
  }
  if (spec && options.txCode && !fitsSpec(options.txCode, spec)) {
    // Checked here, so that a mistyped code does not use up one of the issuer's attempts.
    throw new HolderWalletError(
      'wrong_transaction_code',
      `The transaction code must be ${spec.length ?? 'some'} ${spec.inputMode === 'numeric' ? 'digits' : 'characters'}`,
      { details: { transactionCode: spec, checkedLocally: true } },
    )
  }
  const offered = new Map(resolved.credentials.map((credential) => [credential.configurationId, credential]))
  const wanted = options.configurationIds ?? resolved.credentials.map((credential) => credential.configurationId)
  const usable = wanted.filter((id) => SD_JWT_FORMATS.has(offered.get(id)?.format ?? ''))
  const refused = wanted.filter((id) => !usable.includes(id))
  if (options.configurationIds ? refused.length > 0 : usable.length === 0) {
    throw new HolderWalletError(
      'unsupported_offer',
      `Not offered, or not an SD-JWT VC this wallet can take: ${refused.join(', ')}`,
      { details: { configurationIds: refused } },
    )
  }
  return usable
}
