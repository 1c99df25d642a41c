import type { WebhookService } from '@attesto/agent-runtime'
import type { WalletNotification } from '../issuance/IssuanceSession.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'

/** The webhook event of each wallet notification event. */
const NOTIFICATION_WEBHOOK_EVENTS = {
  credential_accepted: 'credential.accepted',
  credential_failure: 'credential.failed',
  credential_deleted: 'credential.deleted',
} as const

/**
 * The webhook events of the OID4VCI endpoints (webhooks/issuerWebhooks.ts lists every event),
 * each with the id `<offer id>.<type>`: the endpoints call these once per state change they make.
 */
export function issuanceEvents(webhooks: WebhookService | undefined) {
  const emit = (type: string, issuer: ResolvedIssuer, offerId: string, data: Record<string, unknown> = {}) => {
    void webhooks?.emit(issuer.tenantId, {
      id: `${offerId}.${type}`,
      type,
      data: { offerId, issuerId: issuer.profile.issuerId, ...data },
    })
  }
  return {
    onRedeemed: (issuer: ResolvedIssuer, offerId: string) => emit('offer.accepted', issuer, offerId),
    onIssued: (issuer: ResolvedIssuer, offerId: string, credentialCount: number) =>
      emit('credential.issued', issuer, offerId, { credentialCount }),
    onNotified: (issuer: ResolvedIssuer, offerId: string, notification: WalletNotification) =>
      emit(
        NOTIFICATION_WEBHOOK_EVENTS[notification.event],
        issuer,
        offerId,
        notification.description ? { eventDescription: notification.description } : {},
      ),
  }
}
