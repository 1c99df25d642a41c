import { type Agent, Kms } from '@credo-ts/core'
import type {
  OpenId4VciNotificationEvent,
  OpenId4VciRequestTokenResponse,
  OpenId4VciResolvedCredentialOffer,
  OpenId4VcModule,
} from '@credo-ts/openid4vc'

/**
 * What the wallet keeps with a credential to tell its issuer later what became of it (OID4VCI 1.0
 * §11): the response's `notification_id`, the issuer's notification endpoint, and the access token
 * (with its DPoP key) the credential came with. Kept sealed with the credential's record.
 */
export interface NotificationTicket {
  notificationId: string
  credentialIssuer: string
  notificationEndpoint: string
  accessToken: string
  dpop?: { jwk: Record<string, unknown>; alg: Kms.KnownJwaSignatureAlgorithm }
}

/** The ticket of a credential response, when the response has a `notification_id` and the issuer a notification endpoint. */
export function notificationTicketOf(
  offer: OpenId4VciResolvedCredentialOffer,
  token: OpenId4VciRequestTokenResponse,
  notificationId: string | undefined,
): NotificationTicket | undefined {
  const notificationEndpoint = offer.metadata.credentialIssuer.notification_endpoint
  if (!notificationId || !notificationEndpoint) return undefined
  return {
    notificationId,
    credentialIssuer: offer.metadata.credentialIssuer.credential_issuer,
    notificationEndpoint,
    accessToken: token.accessToken,
    ...(token.dpop ? { dpop: { jwk: token.dpop.jwk.toJson() as Record<string, unknown>, alg: token.dpop.alg } } : {}),
  }
}

/** Whether the issuer took the notification: sent once, never thrown (a notification is a courtesy, OID4VCI 1.0 §11). */
export async function notifyIssuer(
  agent: Agent<{ openid4vc: OpenId4VcModule }>,
  ticket: NotificationTicket,
  event: OpenId4VciNotificationEvent,
): Promise<boolean> {
  const metadata = {
    credentialIssuer: {
      credential_issuer: ticket.credentialIssuer,
      notification_endpoint: ticket.notificationEndpoint,
    },
  } as Parameters<typeof agent.openid4vc.holder.sendNotification>[0]['metadata']
  try {
    await agent.openid4vc.holder.sendNotification({
      metadata,
      notificationId: ticket.notificationId,
      accessToken: ticket.accessToken,
      notificationEvent: event,
      ...(ticket.dpop ? { dpop: { jwk: Kms.PublicJwk.fromUnknown(ticket.dpop.jwk), alg: ticket.dpop.alg } } : {}),
    })
    return true
  } catch (error) {
    agent.config.logger.debug(`The issuer did not take the ${event} notification`, { error })
    return false
  }
}

/** Tells each issuer once per ticket (a batch of one credential response shares one). */
export async function notifyEach(
  agent: Agent<{ openid4vc: OpenId4VcModule }>,
  tickets: readonly (NotificationTicket | undefined)[],
  event: OpenId4VciNotificationEvent,
): Promise<void> {
  const unique = new Map(tickets.flatMap((ticket) => (ticket ? [[ticket.notificationId, ticket] as const] : [])))
  await Promise.all([...unique.values()].map((ticket) => notifyIssuer(agent, ticket, event)))
}
