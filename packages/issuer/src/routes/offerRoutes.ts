import {
  type BoundRoute,
  feature,
  openApi,
  operation,
  queueUnavailable,
  type TenantRequestLocals,
  withIdempotency,
} from '@attesto/agent-runtime'
import { DomainError } from '@attesto/protocol-kit'
import { z } from 'zod'
import type { DeferredClaimsQueue } from '../deferred/DeferredClaimsQueue.js'
import { cachedOfferTarget, createOffer, type OfferMaker, offerTarget } from '../issuance/createOffer.js'
import { newPreAuthorizedCode } from '../issuance/IssuanceSession.js'
import { offerView } from '../issuance/offerStatus.js'
import { credentialValidity, validateClaims } from '../issuers/credentialConfiguration.js'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import type { CredentialStatusRow, CredentialStatusStore } from '../status/CredentialStatusStore.js'
import {
  claimsQueuedResponse,
  createdOfferResponse,
  type OfferStatusResponse,
  offerStatusResponse,
} from './responses.js'

const { answer, errors, idempotencyKey } = openApi

const createOfferInput = z.strictObject({
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
    throw new DomainError(
      'grant_option_invalid',
      'txCode goes with the pre-authorized_code grant only, subject with the authorization_code grant only',
    )
  }
}

const approvalInput = z.strictObject({ claims: z.record(z.string(), z.unknown()) })

const credentialStatusOf = (row: CredentialStatusRow) => ({
  status: row.state,
  statusList: { listId: row.listId, idx: row.idx, ...(row.indices ? { indices: row.indices } : {}) },
  ...(row.changedAt ? { changedAt: row.changedAt } : {}),
})

const offerPath = z.object({ offerId: z.string() })

export const createOfferOperation = operation({
  method: 'post',
  path: '/offers',
  operationId: 'createOffer',
  tags: ['Offers'],
  summary: 'Create a pre-authorised credential offer; returns the openid-credential-offer:// URI',
  description:
    "claims are required, except for a deferred configuration (approved later with PUT /offers/{offerId}/claims). credentialValidUntil must come after now and its start, and at most the configuration's validitySeconds from now (400 invalid_validity otherwise).",
  parameters: [idempotencyKey],
  body: {
    required: true,
    schema: createOfferInput.meta({
      id: 'OfferInput',
      examples: [
        {
          issuerId: '5b0e3a52-6d0b-4f53-9c1a-0e7f7d2a9b41',
          credentialConfigurationId: 'diploma',
          claims: { given_name: 'Ada', degree: 'MSc', graduated_on: '2026-06-30', honours: true },
          txCode: { length: 6 },
        },
      ],
    }),
  },
  responses: { '201': answer('Created', createdOfferResponse), ...errors(400, 401, 404, 409, 422, 503) },
})

export const getOffer = operation({
  method: 'get',
  path: '/offers/{offerId}',
  operationId: 'getOffer',
  tags: ['Offers'],
  summary:
    'Offer status: offered, token_issued, credential_pending (deferred), credential_issued (then credential_accepted, credential_failed or credential_deleted as the wallet notifies), expired, failed or cancelled',
  params: offerPath,
  responses: { '200': answer('OK', offerStatusResponse), ...errors(401, 404) },
})

export const approveOfferClaims = operation({
  method: 'put',
  path: '/offers/{offerId}/claims',
  operationId: 'approveOfferClaims',
  tags: ['Offers'],
  summary:
    'Approve the claims of a deferred offer; queued, then the wallet’s next deferred-credential request gets the credential',
  params: offerPath,
  body: { required: true, schema: approvalInput.meta({ examples: [{ claims: { given_name: 'Ada' } }] }) },
  responses: { '202': answer('Queued', claimsQueuedResponse), ...errors(400, 401, 404, 409, 503) },
})

/** Offers, one at a time. */
export const OFFER_OPERATIONS = [createOfferOperation, getOffer, approveOfferClaims]

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
export function offerRoutes(options: OfferRoutesOptions): BoundRoute[] {
  const sessionOf = async (tenantId: string, offerId: string) => {
    const session = await options.offers.sessions.find(tenantId, offerId)
    if (!session) throw new DomainError('offer_not_found', `No offer '${offerId}' in this tenant`)
    return session
  }

  const create = createOfferOperation.handle(async (request, response) => {
    const { tenantContext, tenant } = response.locals as TenantRequestLocals
    const input = createOfferOperation.body(request)
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

  const get = getOffer.handle(async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    const answer = await offerStatusAnswer(options, tenant.id, getOffer.params(request).offerId)
    response.set('Cache-Control', 'no-store').json(answer)
  })

  const approve = approveOfferClaims.handle(async (request, response) => {
    const { tenantContext, tenant } = response.locals as TenantRequestLocals
    const offerId = approveOfferClaims.params(request).offerId
    const session = await sessionOf(tenant.id, offerId)
    if (!session.deferred) {
      throw new DomainError(
        'offer_not_deferred',
        'This offer carries its claims already; only deferred offers wait for them',
      )
    }
    if (session.claimsApprovedAt) {
      throw new DomainError('claims_already_approved', 'The claims of this offer were approved already')
    }
    if (Object.keys(session.claims).length > 0) {
      throw new DomainError('offer_not_deferred', 'This offer carried its claims; only offers made without them wait')
    }
    const { claims } = approveOfferClaims.body(request)
    const { configuration } = await offerTarget(tenantContext, session.issuerId, session.configurationId)
    validateClaims(configuration, claims)
    if (!options.deferredClaims) {
      throw queueUnavailable('Deferred issuance needs the issuance queue: configure REDIS_URL or REDIS_CLUSTER_NODES')
    }
    await options.deferredClaims.add({ tenantId: tenant.id, offerId, claims })
    response.status(202).json({ offerId, status: 'claims_queued' })
  })

  return [create, get, approve]
}

/** Offers, one at a time, after the issuers (and their certificates). */
export const offersFeature = feature<{
  offers: OfferMaker
  issuers: IssuerDirectory
  deferredClaims?: DeferredClaimsQueue
  deferralIntervalSeconds: number
  statuses?: CredentialStatusStore
}>({
  name: 'offers',
  tags: [['Offers', 'Pre-authorised credential offers, one at a time']],
  operations: OFFER_OPERATIONS,
  routes: (services) => offerRoutes(services),
})

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
  if (!kept) throw new DomainError('offer_not_found', `No offer '${offerId}' in this tenant`)
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
