import { tenantIdOfContext, type WebhookService } from '@attesto/agent-runtime'
import type { AgentContext, Logger } from '@credo-ts/core'
import type { VerificationSession } from '../verification/VerificationSession.js'

/** The verifier's webhook events. */
export const VERIFIER_WEBHOOK_EVENTS = ['presentation.verified', 'presentation.rejected']

export type PresentationDecided = (tenantContext: AgentContext, requestId: string, session: VerificationSession) => void

/**
 * Turns a decided presentation into `presentation.verified` or `presentation.rejected` (with the
 * reason code). Payloads carry ids and the reason, not claims: the receiver reads the disclosed
 * claims through the API with its key. Without Redis there are no webhooks.
 */
export function presentationWebhooks(webhooks: WebhookService | undefined, logger: Logger): PresentationDecided {
  return (tenantContext, requestId, session) => {
    const tenantId = tenantIdOfContext(tenantContext.contextCorrelationId)
    if (!webhooks || !tenantId) return
    const type = session.state === 'verified' ? 'presentation.verified' : 'presentation.rejected'
    webhooks
      .emit(tenantId, {
        id: `${requestId}.${type}`,
        type,
        data: {
          requestId,
          verifierId: session.verifierId,
          status: session.state,
          ...(session.reason ? { reason: { code: session.reason.code, message: session.reason.message } } : {}),
        },
      })
      .catch((error: unknown) => logger.error('Could not emit a presentation event', { error }))
  }
}
