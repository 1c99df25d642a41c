import { processRegistry } from '@attesto/agent-runtime'
import { Counter } from 'prom-client'

const verification = new Counter({
  name: 'attesto_verification_outcomes_total',
  help: 'OID4VP authorisation responses by result (verified, rejected, refused) and reason (the rejection code; none when verified)',
  labelNames: ['result', 'reason'] as const,
  registers: [processRegistry],
})

export type VerificationResult = 'verified' | 'rejected' | 'refused'

/** Counts one OID4VP response's outcome (`reason`: a rejection code, never client input). */
export function countVerification(result: VerificationResult, reason = 'none'): void {
  verification.inc({ result, reason })
}
