import { tenantIdOfContext } from '@attesto/agent-runtime'
import {
  OpenId4VcIssuanceSessionState,
  type OpenId4VcIssuanceSessionStateChangedEvent,
  OpenId4VcIssuerEvents,
} from '@credo-ts/openid4vc'
import type { IssuerRuntime } from '../app.js'

/** The issuer's webhook events. */
export const ISSUER_WEBHOOK_EVENTS = ['offer.accepted', 'credential.issued', 'batch.finished']

const EVENT_OF_STATE: Partial<Record<OpenId4VcIssuanceSessionState, string>> = {
  [OpenId4VcIssuanceSessionState.AccessTokenCreated]: 'offer.accepted',
  [OpenId4VcIssuanceSessionState.Completed]: 'credential.issued',
}

/**
 * Turns Credo's issuance-session state changes into webhook events: `offer.accepted` when the
 * wallet has redeemed the offer's code for a token, `credential.issued` when the credential is
 * out. (`batch.finished` comes from the batch workers.) Payloads carry ids, not claims: the
 * receiver reads details through the API with its key.
 */
export function emitIssuerWebhookEvents(runtime: IssuerRuntime): void {
  const webhooks = runtime.webhooks
  if (!webhooks) return
  runtime.agent.events.on<OpenId4VcIssuanceSessionStateChangedEvent>(
    OpenId4VcIssuerEvents.IssuanceSessionStateChanged,
    (event) => {
      const tenantId = tenantIdOfContext(event.metadata.contextCorrelationId)
      const { issuanceSession, previousState } = event.payload
      const type = EVENT_OF_STATE[issuanceSession.state]
      if (!tenantId || !type || previousState === issuanceSession.state) return
      void webhooks.emit(tenantId, {
        id: `${issuanceSession.id}.${type}`,
        type,
        data: { offerId: issuanceSession.id, issuerId: issuanceSession.issuerId },
      })
    },
  )
}
