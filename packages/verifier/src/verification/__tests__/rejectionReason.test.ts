import { rejectionReason } from '../rejectionReason.js'

describe('rejectionReason', () => {
  it('keeps the human part of Credo’s message as the detail, without the OAuth error JSON', () => {
    const reason = rejectionReason(
      '\t- diploma[0]: Error occured during verification of presentation. Verify Error: Invalid Nonce\n{\n  "error": "invalid_request"\n}',
    )
    expect(reason.code).toBe('nonce_mismatch')
    expect(reason.detail).toBe(
      '- diploma[0]: Error occured during verification of presentation. Verify Error: Invalid Nonce',
    )
  })

  it('falls back to verification_failed, keeping what Credo said', () => {
    expect(rejectionReason('vp_token contains presentation for credential query id x')).toEqual({
      code: 'verification_failed',
      message: 'The presentation failed verification',
      detail: 'vp_token contains presentation for credential query id x',
    })
    expect(rejectionReason(undefined)).toEqual({
      code: 'verification_failed',
      message: 'The presentation failed verification',
      detail: undefined,
    })
  })
})
