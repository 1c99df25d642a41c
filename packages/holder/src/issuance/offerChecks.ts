import { HolderWalletError } from '../errors/HolderWalletError.js'
import { instancesToRequest, type KeyAttestationHook } from './credentialBinding.js'
import type { ResolvedOffer, TransactionCodeSpec } from './ResolvedOffer.js'

/** What the holder asks of an offer (the options of `acceptOffer`). */
export interface AcceptOfferOptions {
  /** The transaction code the issuer sent out of band, when the offer asks for one. */
  txCode?: string
  /** Which offered credentials to take (default: every offered SD-JWT VC and mdoc). */
  configurationIds?: string[]
  /** Under the `ask` policy: keep credentials whose issuer the wallet does not trust. */
  acceptUntrusted?: boolean
  /**
   * Authorization code offers: the URL the browser was redirected to (to the `redirectUri` given
   * to `beginAuthorization`), with the code or the authorization server's error.
   */
  authorizationResponse?: string
  /**
   * How many instances of each credential to ask for when the issuer batches
   * (`batch_credential_issuance`): each bound to its own key, so that presentations cannot be
   * linked by the credential. Capped at the issuer's batch size; default: the batch size, at most 10.
   */
  instances?: number
  /** Supplies a key attestation for the keys the credentials are bound to (see {@link KeyAttestationHook}). */
  keyAttestation?: KeyAttestationHook
}

/** The formats this wallet takes: SD-JWT VCs (`vc+sd-jwt` from draft-13 issuers) and mdocs. */
const FORMATS = new Set(['dc+sd-jwt', 'vc+sd-jwt', 'mso_mdoc'])

function fitsSpec(code: string, spec: TransactionCodeSpec): boolean {
  if (spec.length !== undefined && code.length !== spec.length) return false
  return spec.inputMode !== 'numeric' || /^[0-9]+$/.test(code)
}

/** The configurations to request, checked against the offer before anything is sent. */
export function configurationsToRequest(resolved: ResolvedOffer, options: AcceptOfferOptions): string[] {
  instancesToRequest(1, options.instances) // checked before anything is redeemed
  if (resolved.grant.type === 'authorization_code' && !options.authorizationResponse) {
    throw new HolderWalletError(
      'authorization_required',
      'This offer needs the holder to log in at the issuer: open the URL of beginAuthorization, then accept with { authorizationResponse }',
      { details: { grant: resolved.grant } },
    )
  }
  const spec = resolved.grant.type === 'pre-authorized_code' ? resolved.grant.transactionCode : undefined
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
  const usable = wanted.filter((id) => FORMATS.has(offered.get(id)?.format ?? ''))
  const refused = wanted.filter((id) => !usable.includes(id))
  if (options.configurationIds ? refused.length > 0 : usable.length === 0) {
    throw new HolderWalletError(
      'unsupported_offer',
      `Not offered, or not an SD-JWT VC or mdoc this wallet can take: ${refused.join(', ')}`,
      { details: { configurationIds: refused } },
    )
  }
  requireKeyAttestationHook(resolved, usable, options)
  return usable
}

/** A credential whose issuer requires key attestations cannot be had without the hook: said before anything is redeemed. */
function requireKeyAttestationHook(resolved: ResolvedOffer, configurationIds: string[], options: AcceptOfferOptions) {
  if (options.keyAttestation) return
  const requiring = resolved.credentials.filter(
    (credential) => configurationIds.includes(credential.configurationId) && credential.keyAttestationsRequired,
  )
  if (requiring.length === 0) return
  throw new HolderWalletError(
    'unsupported_offer',
    `The issuer requires a key attestation for ${requiring.map((credential) => credential.configurationId).join(', ')}: give acceptOffer a keyAttestation hook`,
    {
      details: {
        configurationIds: requiring.map((credential) => credential.configurationId),
        keyAttestationsRequired: Object.fromEntries(
          requiring.map((credential) => [credential.configurationId, credential.keyAttestationsRequired]),
        ),
      },
    },
  )
}
