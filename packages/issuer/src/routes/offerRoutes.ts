import { HttpError, queueUnavailable, type TenantRequestLocals, withIdempotency } from '@attesto/agent-runtime'
import { Router } from 'express'
import { z } from 'zod'
import type { DeferredClaimsQueue } from '../deferred/DeferredClaimsQueue.js'
import { cachedOfferTarget, createOffer, type OfferMaker, offerTarget } from '../issuance/createOffer.js'
import { newPreAuthorizedCode } from '../issuance/IssuanceSession.js'
import { offerView } from '../issuance/offerStatus.js'
import { credentialValidity, validateClaims } from '../issuers/credentialConfiguration.js'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import type { CredentialStatusRow, CredentialStatusStore } from '../status/CredentialStatusStore.js'
import type { OfferStatusResponse } from './responses.js'

export const createOfferInput = z.strictObject({
  issuerId: z.string().min(1),
  credentialConfigurationId: z.string().min(1),
  /** Required, except for a deferred configuration, whose claims may be approved later. */
  claims: z.record(z.string(), z.unknown()).optional(),
  /** Require a transaction code (sent to the holder out of band), 4 to 8 digits. */
  txCode: z
    .union([z.literal(false), z.strictObject({ length: z.number().int().min(4).max(8).default(6) })])
    .default(false),
  expiresInSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(7 * 24 * 3600),
  /** The credential's validity window (`nbf`, `exp`); the end may only shorten the configuration's validity. */
  credentialValidFrom: z.iso.datetime({ offset: true }).optional(),
  credentialValidUntil: z.iso.datetime({ offset: true }).optional(),
  /**
   * `authorization_code`: the offer carries that grant with an `issuer_state`; the holder logs in
   * at the tenant's identity provider, and the first login with it receives the offer's claims.
   */
  grant: z.enum(['pre-authorized_code', 'authorization_code']).default('pre-authorized_code'),
  /** With `authorization_code`: only this provider subject (`sub`) may receive the offer. */
  subject: z.string().min(1).max(255).optional(),
})

/** A transaction code goes with a pre-authorised code only, a subject with the authorization code grant only. */
function checkGrantOptions(input: z.output<typeof createOfferInput>): void {
  if (input.grant === 'authorization_code' ? input.txCode !== false : input.subject !== undefined) {
    throw new HttpError(
      400,
      'grant_option_invalid',
      'txCode goes with the pre-authorized_code grant only, subject with the authorization_code grant only',
    )
  }
}

export const approvalInput = z.strictObject({ claims: z.record(z.string(), z.unknown()) })

const credentialStatusOf = (row: CredentialStatusRow) => ({
  status: row.state,
  statusList: { listId: row.listId, idx: row.idx, ...(row.indices ? { indices: row.indices } : {}) },
  ...(row.changedAt ? { changedAt: row.changedAt } : {}),
})

export interface OfferRoutesOptions {
  offers: OfferMaker
  issuers: IssuerDirectory
  /** Where approved claims of deferred offers are queued (when REDIS_URL is set). */
  deferredClaims?: DeferredClaimsQueue
  deferralIntervalSeconds: number
  /** Where the status of issued credentials is read. */
  statuses?: CredentialStatusStore
}

/**
 * `POST /offers` (honours `Idempotency-Key`) creates an OID4VCI pre-authorised offer and returns
 * its `openid-credential-offer://` URI; `GET /offers/:offerId` reports offered, token_issued,
 * credential_pending (deferred, waiting for its claims), credential_issued (or, once the wallet
 * has said so, credential_accepted, credential_failed or credential_deleted), expired or failed
 * (and the credential's status: valid, revoked or suspended, when it has one);
 * `PUT /offers/:offerId/claims` approves the claims of a deferred offer.
 */
export function offerRoutes(options: OfferRoutesOptions): Router {
  const router = Router()

  const sessionOf = async (tenantId: string, offerId: string) => {
    const session = await options.offers.sessions.find(tenantId, offerId)
    if (!session) throw new HttpError(404, 'offer_not_found', `No offer '${offerId}' in this tenant`)
    return session
  }

  router.post('/offers', async (request, response) => {
    const { tenantContext, tenant } = response.locals as TenantRequestLocals
    const input = createOfferInput.parse(request.body)
    const target = await cachedOfferTarget(options.issuers, tenant.id, input.issuerId, input.credentialConfigurationId)
    checkGrantOptions(input)
    const claims = input.claims ?? {}
    if (!target.configuration.deferred || input.claims) validateClaims(target.configuration, claims)
    // The pre-authorised code is chosen when the key is reserved: a retry that takes the key over
    // (after a failure or a crash) finds the offer made with it instead of making a second one.
    const result = await withIdempotency(
      tenantContext,
      request,
      async (preAuthorizedCode) => ({
        status: 201,
        body: await createOffer(options.offers, tenant.id, target, {
          claims,
          deferralIntervalSeconds: options.deferralIntervalSeconds,
          txCodeLength: input.txCode ? input.txCode.length : undefined,
          expiresInSeconds: input.expiresInSeconds,
          preAuthorizedCode,
          validity: credentialValidity(target.configuration, input.credentialValidFrom, input.credentialValidUntil),
          ...(input.grant === 'authorization_code' ? { grant: 'authorization_code' as const } : {}),
          ...(input.subject !== undefined ? { subject: input.subject } : {}),
        }),
      }),
      { prepare: () => newPreAuthorizedCode() },
    )
    response.status(result.status).json(result.body)
  })

  router.get('/offers/:offerId', async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    const answer = await offerStatusAnswer(options, tenant.id, request.params.offerId as string)
    response.set('Cache-Control', 'no-store').json(answer)
  })

  router.put('/offers/:offerId/claims', async (request, response) => {
    const { tenantContext, tenant } = response.locals as TenantRequestLocals
    const offerId = request.params.offerId as string
    const session = await sessionOf(tenant.id, offerId)
    if (!session.deferred) {
      throw new HttpError(
        409,
        'offer_not_deferred',
        'This offer carries its claims already; only deferred offers wait for them',
      )
    }
    if (session.claimsApprovedAt) {
      throw new HttpError(409, 'claims_already_approved', 'The claims of this offer were approved already')
    }
    if (Object.keys(session.claims).length > 0) {
      throw new HttpError(
        409,
        'offer_not_deferred',
        'This offer carried its claims; only offers made without them wait',
      )
    }
    const { claims } = approvalInput.parse(request.body)
    const { configuration } = await offerTarget(tenantContext, session.issuerId, session.configurationId)
    validateClaims(configuration, claims)
    if (!options.deferredClaims) {
      throw queueUnavailable('Deferred issuance needs the issuance queue: configure REDIS_URL or REDIS_CLUSTER_NODES')
    }
    await options.deferredClaims.add({ tenantId: tenant.id, offerId, claims })
    response.status(202).json({ offerId, status: 'claims_queued' })
  })

  return router
}

/** What `GET /offers/:offerId` answers: the offer's state, and its credential's status once issued. */
async function offerStatusAnswer(
  options: OfferRoutesOptions,
  tenantId: string,
  offerId: string,
): Promise<OfferStatusResponse> {
  const session = await options.offers.sessions.find(tenantId, offerId)
  const status = session?.state !== 'credential_issued' ? null : await options.statuses?.find(tenantId, offerId)
  if (session) {
    return { ...offerView(offerId, session), ...(status ? { credentialStatus: credentialStatusOf(status) } : {}) }
  }
  // The offer's row is gone (it expires with the offer); its credential's status stays.
  const kept = await options.statuses?.find(tenantId, offerId)
  if (!kept) throw new HttpError(404, 'offer_not_found', `No offer '${offerId}' in this tenant`)
  return {
    offerId,
    issuerId: kept.issuerId,
    credentialConfigurationIds: [kept.configurationId],
    status: 'credential_issued',
    issuedAt: kept.issuedAt,
    credentialCount: kept.indices?.length ?? 1,
    credentialStatus: credentialStatusOf(kept),
  }
}
