import { describe, expect, it } from '@jest/globals'
import { Oauth2ClientErrorResponseError, Oauth2ServerErrorResponseError } from '@openid4vc/oauth2'
import { InvalidFetchResponseError } from '@openid4vc/utils'
import { HolderWalletError } from '../HolderWalletError.js'
import { walletErrorOf } from '../walletErrorOf.js'

// The boundary where Credo's and the OpenID4VC libraries' errors become the wallet's codes, with
// the answers real issuers give (Attesto's issuer, and Credo's issuer through @openid4vc/oauth2).

const tokenError = (error: string, description: string, status = 400) =>
  new Oauth2ClientErrorResponseError(
    'Error requesting access token',
    { error, error_description: description },
    new Response(JSON.stringify({ error, error_description: description }), { status }),
  )

describe('walletErrorOf', () => {
  it('tells a wrong transaction code, with the attempts the issuer says are left', () => {
    const attesto = walletErrorOf(
      tokenError('invalid_grant', 'Wrong transaction code (tx_code); 2 attempt(s) left'),
      'token',
    )
    expect(attesto).toMatchObject({ code: 'wrong_transaction_code', details: { attemptsLeft: 2, status: 400 } })
    const last = walletErrorOf(
      tokenError('invalid_grant', 'Wrong transaction code (tx_code); no attempts left: the offer is void'),
      'token',
    )
    expect(last.details.attemptsLeft).toBe(0)
    const credo = walletErrorOf(tokenError('invalid_grant', "Invalid 'tx_code' provided"), 'token')
    expect(credo.code).toBe('wrong_transaction_code')
    expect(credo.details.attemptsLeft).toBeUndefined()
    expect(walletErrorOf(tokenError('invalid_request', "Missing required 'tx_code' in request"), 'token').code).toBe(
      'transaction_code_required',
    )
  })

  it('calls a refused pre-authorised code an expired offer, and a 5xx an unreachable issuer', () => {
    const dead = walletErrorOf(
      tokenError('invalid_grant', 'The pre-authorised code is unknown, used, expired or revoked'),
      'token',
    )
    expect(dead).toMatchObject({ code: 'offer_expired', details: { error: 'invalid_grant' } })
    expect(dead.cause).toBeInstanceOf(Oauth2ClientErrorResponseError)
    expect(walletErrorOf(tokenError('server_error', 'down', 503), 'token').code).toBe('issuer_unreachable')
  })

  it('tells an unreachable party from a refusing one, by the step it happened in', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    })
    expect(walletErrorOf(refused, 'offer').code).toBe('issuer_unreachable')
    expect(walletErrorOf(refused, 'request').code).toBe('verifier_unreachable')
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError')
    expect(walletErrorOf(new Error('wrapped', { cause: timeout }), 'credential').code).toBe('issuer_unreachable')

    // @openid4vc/openid4vp's own report of a request_uri fetch (no answer, or the status code).
    const requestUri = (description: string) =>
      new Oauth2ServerErrorResponseError({ error: 'invalid_request_uri', error_description: description })
    const uri = "Fetching request_object from request_uri 'https://v.example/r/1'"
    expect(walletErrorOf(requestUri(`${uri} failed`), 'request').code).toBe('verifier_unreachable')
    expect(walletErrorOf(requestUri(`${uri} failed with status code '404'.`), 'request')).toMatchObject({
      code: 'request_expired',
      details: { status: 404 },
    })
    expect(walletErrorOf(requestUri(`${uri} failed with status code '400'.`), 'request').code).toBe('invalid_request')
    expect(walletErrorOf(requestUri(`${uri} failed with status code '503'.`), 'request').code).toBe(
      'verifier_unreachable',
    )
    const gone = new InvalidFetchResponseError(
      'not ok',
      'invalid_request: No such open request',
      new Response('', { status: 404 }),
    )
    expect(walletErrorOf(gone, 'request')).toMatchObject({ code: 'request_expired', details: { status: 404 } })
    const bad = new InvalidFetchResponseError('not ok', '{}', new Response('', { status: 400 }))
    expect(walletErrorOf(bad, 'request').code).toBe('invalid_request')
    expect(walletErrorOf(bad, 'offer').code).toBe('invalid_offer')
  })

  it('keeps its own errors, and falls back to the step’s code for anything else', () => {
    const own = new HolderWalletError('offer_used', 'used')
    expect(walletErrorOf(own, 'token')).toBe(own)
    expect(walletErrorOf(new Error("Client id prefix 'openid_federation' is not supported"), 'request').code).toBe(
      'unsupported_request',
    )
    expect(walletErrorOf(new Error('Failed to validate sd-jwt-vc credentials'), 'credential').code).toBe(
      'invalid_credential',
    )
    expect(walletErrorOf('odd', 'response')).toMatchObject({ code: 'presentation_failed', message: 'odd' })
  })
})
