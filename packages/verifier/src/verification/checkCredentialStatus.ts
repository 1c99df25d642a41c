import { StatusListInvalidError, type StatusListTokenResolver } from '@attesto/did-cache'
import { statusOfValue } from '@attesto/protocol-kit'
import type { AgentContext } from '@credo-ts/core'
import { type RejectionReason, rejectionReason } from './rejectionReason.js'
import type { VerifiedEntry } from './verifyVpToken.js'

export interface StatusCheckOutcome {
  /** Set when a credential is revoked, suspended, or its status cannot be established. */
  verdict?: RejectionReason
  /** Indices (into the verified entries) of credentials whose status list could not be fetched and were accepted anyway. */
  unchecked: Set<number>
}

/**
 * The status list reference of a credential (`status.status_list`), if it has one: an SD-JWT VC's
 * `status` claim, an mdoc's MSO `status` (Token Status List draft -14 §6.3, the same shape).
 */
function referenceOf(credential: VerifiedEntry['credential']): { idx: number; uri: string } | 'malformed' | undefined {
  const status = credential.format === 'mso_mdoc' ? credential.status : credential.claims.status
  if (status === undefined) return undefined
  const reference = (status as { status_list?: { idx?: unknown; uri?: unknown } } | null)?.status_list
  if (typeof reference?.idx !== 'number' || typeof reference.uri !== 'string') return 'malformed'
  return { idx: reference.idx, uri: reference.uri }
}

/**
 * Checks the status list entry of every credential that references one (the lists are fetched
 * concurrently and cached). Revoked: `credential_revoked`; suspended: `credential_suspended`; a
 * list that cannot be fetched: `status_unavailable`, unless `acceptUnavailable` (then the
 * credential is reported unchecked); a list that is not valid for the reference (signature,
 * `sub`, expiry, index) or a status this verifier does not know: always rejected.
 */
export async function checkCredentialStatus(
  agentContext: AgentContext,
  resolver: StatusListTokenResolver,
  verified: VerifiedEntry[],
  acceptUnavailable: boolean,
): Promise<StatusCheckOutcome> {
  const unchecked = new Set<number>()
  const verdicts = await Promise.all(
    verified.map(async ({ credential }, index): Promise<RejectionReason | undefined> => {
      const reference = referenceOf(credential)
      if (reference === undefined) return undefined
      if (reference === 'malformed') {
        return rejectionReason('verification_failed', 'A credential carries a status this verifier does not check')
      }
      let status: number
      try {
        status = await resolver.status(agentContext, reference, credential.issuerKey)
      } catch (error) {
        if (error instanceof StatusListInvalidError) return rejectionReason('status_unavailable', error.message)
        if (acceptUnavailable) {
          unchecked.add(index)
          return undefined
        }
        return rejectionReason('status_unavailable', (error as Error).message)
      }
      const meaning = statusOfValue(status)
      if (meaning === 'valid') return undefined
      if (meaning === 'revoked') return rejectionReason('credential_revoked')
      if (meaning === 'suspended') return rejectionReason('credential_suspended')
      return rejectionReason('verification_failed', `A credential has a status this verifier does not know (${status})`)
    }),
  )
  return { verdict: verdicts.find((verdict) => verdict !== undefined), unchecked }
}
