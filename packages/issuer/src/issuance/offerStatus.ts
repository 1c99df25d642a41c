import type { IssuanceSession } from './IssuanceSession.js'

/** Every public status of an offer. */
export const OFFER_STATUSES = [
  'offered',
  'token_issued',
  'credential_pending',
  'credential_issued',
  'expired',
  'failed',
  'cancelled',
] as const

export type OfferStatus = (typeof OFFER_STATUSES)[number]

/** The public status of an offer, from its session's state and the offer's expiry. */
export function offerStatus(session: IssuanceSession, now = Date.now()): OfferStatus {
  switch (session.state) {
    case 'credential_issued':
    case 'credential_pending':
    case 'failed':
    case 'cancelled':
      return session.state
    default:
      return now > session.expiresAt ? 'expired' : session.state
  }
}

/** What the API shows of an offer from its session: `GET /offers/{offerId}` and the offer list. */
export function offerView(offerId: string, session: IssuanceSession) {
  return {
    offerId,
    issuerId: session.issuerId,
    credentialConfigurationIds: [session.configurationId],
    status: offerStatus(session),
    createdAt: session.createdAt,
    expiresAt: new Date(session.expiresAt).toISOString(),
    ...(session.issuedAt ? { issuedAt: session.issuedAt } : {}),
  }
}
