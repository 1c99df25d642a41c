import { Counter, collectDefaultMetrics, Registry } from 'prom-client'

/**
 * Metrics of the whole process, whatever runtimes it holds: Node's defaults (CPU, memory, event
 * loop lag, GC, handles) and the protocol outcomes, which the protocol endpoints count through
 * {@link countIssuance} and {@link countVerification}. Served by every `/metrics` of the process.
 */
export const processRegistry = new Registry()
collectDefaultMetrics({ register: processRegistry, prefix: 'attesto_' })

const issuance = new Counter({
  name: 'attesto_issuance_outcomes_total',
  help: 'OID4VCI protocol requests by step (token, credential, deferred_credential), result (issued, deferred, refused, failed) and reason (the OAuth error code; none when answered)',
  labelNames: ['step', 'result', 'reason'] as const,
  registers: [processRegistry],
})

const verification = new Counter({
  name: 'attesto_verification_outcomes_total',
  help: 'OID4VP authorisation responses by result (verified, rejected, refused) and reason (the rejection code; none when verified)',
  labelNames: ['result', 'reason'] as const,
  registers: [processRegistry],
})

export type IssuanceStep = 'token' | 'credential' | 'deferred_credential'
export type IssuanceResult = 'issued' | 'deferred' | 'refused' | 'failed'
export type VerificationResult = 'verified' | 'rejected' | 'refused'

/** Counts one OID4VCI request's outcome (`reason`: a stable error code, never client input). */
export function countIssuance(step: IssuanceStep, result: IssuanceResult, reason = 'none'): void {
  issuance.inc({ step, result, reason })
}

/** Counts one OID4VP response's outcome (`reason`: a rejection code, never client input). */
export function countVerification(result: VerificationResult, reason = 'none'): void {
  verification.inc({ result, reason })
}

const queueRedisErrors = new Counter({
  name: 'attesto_queue_redis_errors_total',
  help: 'Redis connection errors of queue producers, by queue',
  labelNames: ['queue'] as const,
  registers: [processRegistry],
})

/** Counts a queue producer's Redis connection error. */
export function countQueueRedisError(queue: string): void {
  queueRedisErrors.inc({ queue })
}
