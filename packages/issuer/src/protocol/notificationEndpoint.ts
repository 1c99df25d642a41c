import { ProtocolError } from '@attesto/agent-runtime'
import type { ErrorRequestHandler, Request } from 'express'
import { z } from 'zod'
import { NOTIFICATION_EVENTS, type WalletNotification } from '../issuance/IssuanceSession.js'
import type { IssuanceSessionStore } from '../issuance/IssuanceSessionStore.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import { type AccessTokenOptions, offerOfPresentedToken } from './externalAccessTokens.js'

/** `event_description`: printable ASCII without `"` and `\` (OID4VCI 1.0 §11.1). */
const DESCRIPTION_CHARACTERS = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/

// Parameters this version does not define are ignored, as OAuth endpoints do, so that a wallet
// sending an extension still has its event recorded.
const notificationRequest = z.object({
  notification_id: z.string().min(1).max(200),
  event: z.enum(NOTIFICATION_EVENTS),
  event_description: z.string().max(1000).regex(DESCRIPTION_CHARACTERS, 'printable ASCII without " and \\').optional(),
})

export interface NotificationEndpointOptions extends AccessTokenOptions {
  sessions: IssuanceSessionStore
  /** Called once per recorded event (the `credential.accepted`, `.failed` and `.deleted` webhook events). */
  onNotified(issuer: ResolvedIssuer, offerId: string, notification: WalletNotification): void
}

const invalidNotificationRequest = (description: string) =>
  new ProtocolError(400, 'invalid_notification_request', description)

/**
 * The notification endpoint (OID4VCI 1.0 §11): the wallet tells what became of the credentials of
 * one credential response (`credential_accepted`, `credential_failure`, `credential_deleted`),
 * naming them by the response's `notification_id`, with the access token it got them with.
 * Answers 204. The event becomes the offer's status and a webhook event once: a retried or
 * repeated notification is answered 204 again and reported no more (IssuanceSessionStore).
 */
export async function notificationEndpoint(
  issuer: ResolvedIssuer,
  request: Request,
  options: NotificationEndpointOptions,
): Promise<{ status: 204 }> {
  const parsed = notificationRequest.safeParse(request.body)
  const offerId = await offerOfPresentedToken(issuer, request, options, {
    matches: (made) => parsed.success && made.notificationId === parsed.data.notification_id,
  })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw invalidNotificationRequest(issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'Invalid request')
  }
  const { notification_id: notificationId, event, event_description: description } = parsed.data
  const notification: WalletNotification = {
    event,
    receivedAt: new Date().toISOString(),
    ...(description ? { description } : {}),
  }
  const outcome = await options.sessions.recordNotification(issuer.tenantId, offerId, notificationId, notification)
  if (outcome === 'unknown') {
    throw new ProtocolError(
      400,
      'invalid_notification_id',
      'The notification_id names no credentials issued with this access token',
    )
  }
  if (outcome === 'recorded') options.onNotified(issuer, offerId, notification)
  return { status: 204 }
}

/**
 * A notification body that cannot be parsed, or that carries what no endpoint takes (a NUL, deep
 * nesting), is `invalid_notification_request` here (OID4VCI 1.0 §11.3), not `invalid_request`.
 */
export const notificationRequestErrors: ErrorRequestHandler = (error, _request, _response, next) => {
  const unparsable = (error as { type?: string } | null)?.type === 'entity.parse.failed'
  const unsafe = error instanceof ProtocolError && error.status === 400 && error.error === 'invalid_request'
  if (unparsable) next(invalidNotificationRequest('The request body is not JSON'))
  else if (unsafe) next(invalidNotificationRequest(error.message))
  else next(error)
}
