import type { IssuanceSession, NotificationEvent } from './IssuanceSession.js'

/** Every public status of an offer. */
export const OFFER_STATUSES = [
  'offered',
  'token_issued',
  'credential_pending',
  'credential_issued',
  'credential_accepted',
  'credential_failed',
  'credential_deleted',
  'expired',
  'failed',
  'cancelled',
] as const

export type OfferStatus = (typeof OFFER_STATUSES)[number]

/** The status an issued offer takes from the wallet's notification (OID4VCI 1.0 §11). */
export const NOTIFIED_STATUS: Record<NotificationEvent, OfferStatus> = {
  credential_accepted: 'credential_accepted',
  credential_failure: 'credential_failed',
  credential_deleted: 'credential_deleted',
}

/**
 * The public status of an offer, from its session's state, the wallet's last notification about
 * its credentials (an issued offer then shows what the wallet said) and the offer's expiry.
 */
export function offerStatus(session: IssuanceSession, now = Date.now()): OfferStatus {
  switch (session.state) {
    case 'credential_issued':
      return session.notification ? NOTIFIED_STATUS[session.notification.event] : session.state
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
  const { notification } = session
  return {
    offerId,
    issuerId: session.issuerId,
    credentialConfigurationIds: [session.configurationId],
    status: offerStatus(session),
    createdAt: session.createdAt,
    expiresAt: new Date(session.expiresAt).toISOString(),
    ...(session.issuedAt ? { issuedAt: session.issuedAt } : {}),
    ...(session.issuedAt ? { credentialCount: session.credentialCount ?? 1 } : {}),
    ...(session.grant === 'external'
      ? { authorizationServer: session.authorizationServer, subject: session.loggedInSubject }
      : {}),
    ...(notification
      ? {
          walletNotification: {
            event: notification.event,
            receivedAt: notification.receivedAt,
            ...(notification.description ? { description: notification.description } : {}),
          },
        }
      : {}),
  }
}
