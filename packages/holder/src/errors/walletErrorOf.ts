import { Oauth2ClientErrorResponseError, Oauth2ServerErrorResponseError } from '@openid4vc/oauth2'
import { Openid4vciRetrieveCredentialsError } from '@openid4vc/openid4vci'
import { InvalidFetchResponseError } from '@openid4vc/utils'
import { HolderWalletError, type HolderWalletErrorCode } from './HolderWalletError.js'

/** Where in a flow an error happened: it decides what a failure means to the app. */
export type FlowStep = 'offer' | 'token' | 'credential' | 'request' | 'response'

const ISSUER_STEPS: readonly FlowStep[] = ['offer', 'token', 'credential']

/** What a step's failure is when nothing more specific is known. */
const FALLBACK: Record<FlowStep, HolderWalletErrorCode> = {
  offer: 'invalid_offer',
  token: 'issuance_failed',
  credential: 'issuance_failed',
  request: 'invalid_request',
  response: 'presentation_failed',
}

const unreachable = (step: FlowStep): HolderWalletErrorCode =>
  ISSUER_STEPS.includes(step) ? 'issuer_unreachable' : 'verifier_unreachable'

/** No answer at all: no connection, a timeout, an abort (anywhere in the cause chain). */
function isNetworkFailure(error: unknown): boolean {
  // Errors of other realms (DOMException, undici's) are not `instanceof Error` everywhere: duck-typed.
  let current = error as { name?: unknown; message?: unknown; cause?: unknown; constructor?: { name?: string } } | null
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const message = String(current.message ?? '')
    // @openid4vc/utils wraps a fetch that threw in its (unexported) FetchError.
    if (current.constructor?.name === 'FetchError' || /error occurred during fetch/.test(message)) return true
    if (current.name === 'TimeoutError' || current.name === 'AbortError') return true
    if (current.name === 'TypeError' && /fetch failed/i.test(message)) return true
    current = current.cause as typeof current
  }
  return false
}

/** The token endpoint's OAuth error (RFC 6749 §5.2): a wrong transaction code, or a dead offer. */
function tokenError(error: Oauth2ClientErrorResponseError): HolderWalletError {
  const { error: code, error_description: description = '' } = error.errorResponse
  const details = { error: code, errorDescription: description, status: error.response.status }
  if (code === 'invalid_grant' && /tx_code|transaction code|user.?pin|\bpin\b/i.test(description)) {
    const left =
      /(\d+) attempt(?:s|\(s\))? left/i.exec(description)?.[1] ??
      (/no attempts? left/i.test(description) ? '0' : undefined)
    return new HolderWalletError('wrong_transaction_code', 'The transaction code is wrong', {
      cause: error,
      details: { ...details, ...(left === undefined ? {} : { attemptsLeft: Number(left) }) },
    })
  }
  if (code === 'invalid_request' && /missing.*(tx_code|transaction code)/i.test(description)) {
    return new HolderWalletError('transaction_code_required', 'This offer needs the transaction code the issuer sent', {
      cause: error,
      details,
    })
  }
  if (code === 'invalid_grant') {
    return new HolderWalletError(
      'offer_expired',
      'The issuer no longer accepts this offer: it expired, was withdrawn, or was redeemed already',
      { cause: error, details },
    )
  }
  if (error.response.status >= 500) {
    return new HolderWalletError('issuer_unreachable', 'The issuer could not answer', { cause: error, details })
  }
  return new HolderWalletError('issuance_failed', `The issuer refused the token request: ${code}`, {
    cause: error,
    details,
  })
}

/** What is known of the request that failed, beyond the error itself. */
export interface FlowContext {
  /** The credential request carried a key attestation (OID4VCI 1.0 Appendix D). */
  keyAttestationSent?: boolean
}

/** The credential endpoint's error (OID4VCI 1.0 §8.3.1), or a credential that failed verification. */
function credentialError(error: Openid4vciRetrieveCredentialsError, context: FlowContext): HolderWalletError {
  const status = error.response.response.status
  const body = error.response.credentialErrorResponseResult?.data as { error?: string; error_description?: string }
  const details = { status, error: body?.error, errorDescription: body?.error_description }
  if (status >= 500) {
    return new HolderWalletError('issuer_unreachable', 'The issuer could not answer', { cause: error, details })
  }
  if (body?.error === 'invalid_proof' && context.keyAttestationSent) {
    // The proof carried the attestation: its signer, its levels or its keys did not satisfy the issuer.
    return new HolderWalletError(
      'key_attestation_refused',
      `The issuer refused the key attestation: ${body.error_description ?? 'invalid_proof'}`,
      { cause: error, details },
    )
  }
  return new HolderWalletError('issuance_failed', `The issuer refused the credential request: ${body?.error}`, {
    cause: error,
    details,
  })
}

/** An HTTP answer that is not what the protocol expects (a metadata or request object fetch). */
function fetchError(error: InvalidFetchResponseError, step: FlowStep): HolderWalletError {
  const status = error.response.status
  const details = { status, body: error.textResponse.slice(0, 500) }
  if (status >= 500) return new HolderWalletError(unreachable(step), `HTTP ${status}`, { cause: error, details })
  if (step === 'request' && (status === 404 || /request_expired/.test(error.textResponse))) {
    return new HolderWalletError(
      'request_expired',
      'The verifier no longer serves this request: it expired or was answered',
      { cause: error, details },
    )
  }
  return new HolderWalletError(FALLBACK[step], error.message.split('\n')[0] ?? error.message, { cause: error, details })
}

/**
 * The request object could not be fetched from `request_uri` (@openid4vc/openid4vp reports it as
 * `invalid_request_uri`, with the HTTP status in its description when there was an answer).
 */
function requestUriError(error: Oauth2ServerErrorResponseError): HolderWalletError {
  const description = error.errorResponse.error_description ?? ''
  const status = Number(/status code '(\d+)'/.exec(description)?.[1] ?? 0)
  const details = { error: error.errorResponse.error, ...(status ? { status } : {}) }
  if (status === 0 || status >= 500) {
    return new HolderWalletError('verifier_unreachable', 'The verifier could not be reached', { cause: error, details })
  }
  if (status === 404 || status === 410) {
    return new HolderWalletError(
      'request_expired',
      'The verifier no longer serves this request: it expired or was answered',
      { cause: error, details },
    )
  }
  return new HolderWalletError('invalid_request', `The verifier refused to give the request (HTTP ${status})`, {
    cause: error,
    details,
  })
}

/**
 * The wallet's error for whatever Credo or the OpenID4VC libraries threw during `step`: the one
 * place where their errors become codes an app can switch on (the cause is kept).
 */
export function walletErrorOf(error: unknown, step: FlowStep, context: FlowContext = {}): HolderWalletError {
  if (error instanceof HolderWalletError) return error
  if (isNetworkFailure(error)) {
    const who = ISSUER_STEPS.includes(step) ? 'issuer' : 'verifier'
    return new HolderWalletError(unreachable(step), `The ${who} could not be reached`, { cause: error })
  }
  if (error instanceof Oauth2ClientErrorResponseError && step === 'token') return tokenError(error)
  if (error instanceof Oauth2ServerErrorResponseError && error.errorResponse.error === 'invalid_request_uri') {
    return requestUriError(error)
  }
  if (error instanceof Openid4vciRetrieveCredentialsError) return credentialError(error, context)
  if (error instanceof InvalidFetchResponseError) return fetchError(error, step)
  const message = error instanceof Error ? error.message.split('\n')[0] || error.message : String(error)
  if (step === 'credential' && /validate|verif|signature|certificate|x5c/i.test(message)) {
    return new HolderWalletError('invalid_credential', `The issuer's credential did not verify: ${message}`, {
      cause: error,
    })
  }
  if (step === 'request' && /not supported/i.test(message)) {
    return new HolderWalletError('unsupported_request', message, { cause: error })
  }
  return new HolderWalletError(FALLBACK[step], message, { cause: error })
}
