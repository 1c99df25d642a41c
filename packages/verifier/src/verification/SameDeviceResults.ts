import type { Database } from '@attesto/storage-service'
import { RESPONSE_CODE_LIFETIME_SECONDS, responseCodeDigest } from './responseCode.js'
import type { VerificationSession } from './VerificationSession.js'
import { VerificationSessionStore } from './VerificationSessionStore.js'

/** Why a response code released nothing. */
export type RedemptionRefusal =
  | 'presentation_request_not_found'
  | 'response_code_not_applicable'
  | 'response_code_invalid'
  | 'response_code_used'
  | 'response_code_expired'

export type Redemption = { session: VerificationSession } | { refusal: RedemptionRefusal }

/**
 * The results of same-device requests, released to whoever presents the request's response
 * code, once: one conditional UPDATE on the session row marks the code redeemed only when its
 * digest matches, it was not redeemed before and it is still fresh, so two instances (or two
 * concurrent calls) never both release a result. Requests are named by the tenant's agent context
 * correlation id (`contextCorrelationId`) and their id.
 */
export class SameDeviceResults {
  private readonly store: VerificationSessionStore

  public constructor(database: Database, schema: string) {
    this.store = new VerificationSessionStore(database, schema)
  }

  public async redeem(contextCorrelationId: string, requestId: string, responseCode: string): Promise<Redemption> {
    const digest = responseCodeDigest(responseCode)
    const redeemed = await this.store.updateReturning(
      contextCorrelationId,
      `value = jsonb_set(value, '{sameDevice,redeemedAt}', to_jsonb($5::text))`,
      `value->'sameDevice'->>'responseCodeSha256' = $4 AND NOT (value->'sameDevice' ? 'redeemedAt')
         AND (value->>'decidedAt')::timestamptz > now() - make_interval(secs => $6)`,
      [requestId, digest, new Date().toISOString(), RESPONSE_CODE_LIFETIME_SECONDS],
    )
    if (redeemed) return { session: redeemed }
    return { refusal: refusalOf(await this.store.find(contextCorrelationId, requestId), digest) }
  }
}

/** Why the row did not release its result to the code of digest `digest`. */
function refusalOf(session: VerificationSession | null, digest: string): RedemptionRefusal {
  if (!session) return 'presentation_request_not_found'
  if (!session.sameDevice) return 'response_code_not_applicable'
  if (session.sameDevice.responseCodeSha256 !== digest) return 'response_code_invalid'
  return session.sameDevice.redeemedAt ? 'response_code_used' : 'response_code_expired'
}
