import { HolderWalletError } from '../errors/HolderWalletError.js'

/** The verifier's refusal of an answer (an OAuth error response, OID4VP 1.0 §8.5). */
export interface VerifierError {
  /** HTTP status. */
  status: number
  error?: string
  errorDescription?: string
}

/** What the verifier said to the wallet's answer. */
export interface PresentationResponse {
  /**
   * Where to send the holder's browser next (same-device flow, OID4VP 1.0 §8.2): the app opens
   * it. Absent in the cross-device flow.
   */
  redirectUri?: string
  /** Set when the verifier refused the answer; the app shows it (the wallet has done its part). */
  verifierError?: VerifierError
}

type Json = Record<string, unknown>

/** A response endpoint's answer, read: `redirect_uri` on success, the OAuth error otherwise. */
export function presentationResponseOf(status: number, body: unknown): PresentationResponse {
  const json = (typeof body === 'object' && body !== null ? body : {}) as Json
  if (status >= 200 && status < 300) {
    return typeof json.redirect_uri === 'string' ? { redirectUri: json.redirect_uri } : {}
  }
  return {
    verifierError: {
      status,
      ...(typeof json.error === 'string' ? { error: json.error } : {}),
      ...(typeof json.error_description === 'string'
        ? { errorDescription: json.error_description.slice(0, 1000) }
        : {}),
    },
  }
}

export interface DeclineOptions {
  /** A short reason for the verifier (`error_description`, printable ASCII); nothing about the holder. */
  description?: string
}

/**
 * Sends OID4VP's Authorization Error Response `access_denied` to the request's response endpoint
 * (`direct_post` and `direct_post.jwt`: a form POST, unencrypted, as §8.5 allows for errors).
 * Answers undefined when the response mode has no endpoint to tell (nothing is sent then).
 */
export async function sendAccessDenied(
  fetcher: typeof fetch,
  payload: Json,
  { allowInsecureHttp, description }: DeclineOptions & { allowInsecureHttp: boolean },
): Promise<PresentationResponse | undefined> {
  const responseUri = payload.response_uri
  const mode = payload.response_mode
  if (typeof responseUri !== 'string' || (mode !== 'direct_post' && mode !== 'direct_post.jwt')) return undefined
  if (!responseUri.startsWith('https://') && !(allowInsecureHttp && responseUri.startsWith('http://'))) {
    throw new HolderWalletError('invalid_request', 'The response endpoint is not an https URL')
  }
  const form = new URLSearchParams({ error: 'access_denied' })
  if (description)
    form.set('error_description', description.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '').slice(0, 300))
  if (typeof payload.state === 'string') form.set('state', payload.state)
  let response: Response
  try {
    response = await fetcher(responseUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
    })
  } catch (error) {
    throw new HolderWalletError('verifier_unreachable', 'The verifier could not be reached', { cause: error })
  }
  const text = await response.text()
  let body: unknown
  try {
    body = text ? JSON.parse(text) : {}
  } catch {
    body = {}
  }
  return presentationResponseOf(response.status, body)
}
