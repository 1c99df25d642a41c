import { TenantsApi, tenantIdOfContext } from '@attesto/agent-runtime'
import {
  OpenId4VcVerificationSessionState,
  type OpenId4VcVerificationSessionStateChangedEvent,
  OpenId4VcVerifierEvents,
} from '@credo-ts/openid4vc'
import type { VerifierRuntime } from '../app.js'
import { presentationOutcome } from '../verification/presentationOutcome.js'

/** The verifier's webhook events. */
export const VERIFIER_WEBHOOK_EVENTS = ['presentation.verified', 'presentation.rejected']

/**
 * Turns a presentation's verification into `presentation.verified` or `presentation.rejected`
 * (with the reason code, untrusted issuers included). Payloads carry ids and the reason, not
 * claims: the receiver reads the disclosed claims through the API with its key.
 */
export function emitVerifierWebhookEvents(runtime: VerifierRuntime): void {
  const webhooks = runtime.webhooks
  if (!webhooks) return
  runtime.agent.events.on<OpenId4VcVerificationSessionStateChangedEvent>(
    OpenId4VcVerifierEvents.VerificationSessionStateChanged,
    (event) => {
      const tenantId = tenantIdOfContext(event.metadata.contextCorrelationId)
      const session = event.payload.verificationSession
      const done =
        session.state === OpenId4VcVerificationSessionState.ResponseVerified ||
        session.state === OpenId4VcVerificationSessionState.Error
      if (!tenantId || !done) return
      void (async () => {
        const tenantContext = await runtime.agent.dependencyManager.resolve(TenantsApi).getTenantAgentContext(tenantId)
        const outcome = await presentationOutcome(tenantContext, session)
        const type = outcome.status === 'verified' ? 'presentation.verified' : 'presentation.rejected'
        await webhooks.emit(tenantId, {
          id: `${session.id}.${type}`,
          type,
          data: {
            requestId: session.id,
            verifierId: session.verifierId,
            status: outcome.status,
            ...(outcome.reason ? { reason: { code: outcome.reason.code, message: outcome.reason.message } } : {}),
          },
        })
      })().catch((error: unknown) =>
        runtime.agent.config.logger.error('Could not emit a presentation event', { error }),
      )
    },
  )
}
