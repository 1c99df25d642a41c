import type { WebhookService } from '@attesto/agent-runtime'
import type { WalletNotification } from '../issuance/IssuanceSession.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import type { StatusChanged } from '../status/CredentialStatusService.js'

/** The webhook event of each wallet notification event. */
const NOTIFICATION_WEBHOOK_EVENTS = {
  credential_accepted: 'credential.accepted',
  credential_failure: 'credential.failed',
  credential_deleted: 'credential.deleted',
} as const

/**
 * Every webhook event the issuer sends (issuerWebhooks.ts lists their types), made here: the
 * OID4VCI endpoints call `onRedeemed`, `onIssued` and `onNotified` once per state change they make
 * (each event's id `<offer id>.<type>`), credential status calls `onStatusChanged` per change
 * (`<offer id>.status.<changedAt>`), and the batch workers `onBatchFinished` once per batch
 * (`<batch id>.batch.finished`). Without webhooks (`undefined`) nothing is sent. Payloads carry
 * ids, never claims.
 */
export function issuerEvents(webhooks: WebhookService | undefined) {
  const offerEvent = (type: string, issuer: ResolvedIssuer, offerId: string, data: Record<string, unknown> = {}) => {
    void webhooks?.emit(issuer.tenantId, {
      id: `${offerId}.${type}`,
      type,
      data: { offerId, issuerId: issuer.profile.issuerId, ...data },
    })
  }
  const onStatusChanged: StatusChanged = (tenantId, offerId, change) => {
    void webhooks?.emit(tenantId, {
      id: `${offerId}.status.${change.row.changedAt}`,
      type: 'credential.status_changed',
      data: { offerId, issuerId: change.row.issuerId, status: change.row.state, previousStatus: change.previous },
    })
  }
  return {
    onRedeemed: (issuer: ResolvedIssuer, offerId: string) => offerEvent('offer.accepted', issuer, offerId),
    onIssued: (issuer: ResolvedIssuer, offerId: string, credentialCount: number) =>
      offerEvent('credential.issued', issuer, offerId, { credentialCount }),
    onNotified: (issuer: ResolvedIssuer, offerId: string, notification: WalletNotification) =>
      offerEvent(
        NOTIFICATION_WEBHOOK_EVENTS[notification.event],
        issuer,
        offerId,
        notification.description ? { eventDescription: notification.description } : {},
      ),
    onStatusChanged,
    /** Resolves once the event is stored for delivery (the worker acknowledges its job after it). */
    onBatchFinished: async (tenantId: string, batchId: string, summary: Record<string, unknown>): Promise<void> => {
      await webhooks?.emit(tenantId, { id: `${batchId}.batch.finished`, type: 'batch.finished', data: summary })
    },
  }
}

/** The issuer's events ({@link issuerEvents}). */
export type IssuerEvents = ReturnType<typeof issuerEvents>
