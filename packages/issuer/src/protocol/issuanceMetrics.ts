import { ProtocolError, processRegistry } from '@attesto/agent-runtime'
import { Counter } from 'prom-client'
import { ZodError } from 'zod'

const issuance = new Counter({
  name: 'attesto_issuance_outcomes_total',
  help: 'OID4VCI protocol requests by step (token, credential, deferred_credential), result (issued, deferred, refused, failed) and reason (the OAuth error code; none when answered)',
  labelNames: ['step', 'result', 'reason'] as const,
  registers: [processRegistry],
})

export type IssuanceStep = 'token' | 'credential' | 'deferred_credential'
export type IssuanceResult = 'issued' | 'deferred' | 'refused' | 'failed'

/** Counts one OID4VCI request's outcome (`reason`: a stable error code, never client input). */
function countIssuance(step: IssuanceStep, result: IssuanceResult, reason = 'none'): void {
  issuance.inc({ step, result, reason })
}

/**
 * `handler` (an OID4VCI endpoint's work), its outcome counted in
 * `attesto_issuance_outcomes_total`: `issued` (200) or `deferred` (202) when it answers,
 * `refused` with the OAuth error code when it throws a client error, `failed` otherwise. The
 * error passes on unchanged.
 */
export function countedIssuance<Args extends unknown[], Result extends object>(
  step: IssuanceStep,
  handler: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return async (...args) => {
    try {
      const result = await handler(...args)
      countIssuance(step, (result as { status?: unknown }).status === 202 ? 'deferred' : 'issued')
      return result
    } catch (error) {
      if (error instanceof ProtocolError && error.status < 500) countIssuance(step, 'refused', error.error)
      else if (error instanceof ZodError) countIssuance(step, 'refused', 'invalid_request')
      else countIssuance(step, 'failed', error instanceof ProtocolError ? error.error : 'server_error')
      throw error
    }
  }
}
