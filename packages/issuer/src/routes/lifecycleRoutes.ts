import { type BoundRoute, feature, openApi, operation, type TenantRequestLocals } from '@attesto/agent-runtime'
import { DomainError } from '@attesto/protocol-kit'
import { z } from 'zod'
import type { OfferManagement } from '../issuance/OfferManagement.js'
import { offerStatus } from '../issuance/offerStatus.js'
import { issuerDeactivation } from '../issuers/deactivatedIssuers.js'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import { issuerProfiles } from '../issuers/issuerProfiles.js'
import {
  cancelledOfferResponse,
  deactivatedIssuerResponse,
  removedConfigurationResponse,
} from './managementResponses.js'

const { answer, errors } = openApi

export const deactivateIssuer = operation({
  method: 'delete',
  path: '/issuers/{issuerId}',
  operationId: 'deactivateIssuer',
  tags: ['Issuers'],
  summary: 'Deactivate an issuer; its offers not yet issued are cancelled (repeatable)',
  description:
    'Its metadata, token, credential and status-list endpoints answer 404 from then on. Its key stays in the KMS and its DID is not touched, so credentials it issued keep verifying.',
  params: z.object({ issuerId: z.string() }),
  responses: { '200': answer('Deactivated', deactivatedIssuerResponse), ...errors(401, 404) },
})

export const deleteCredentialConfiguration = operation({
  method: 'delete',
  path: '/issuers/{issuerId}/credential-configurations/{configurationId}',
  operationId: 'deleteCredentialConfiguration',
  tags: ['Credential configurations'],
  summary: "Remove a configuration from the issuer's metadata; its offers not yet issued are cancelled",
  params: z.object({ issuerId: z.string(), configurationId: z.string() }),
  responses: { '200': answer('Removed', removedConfigurationResponse), ...errors(401, 404) },
})

export const cancelOffer = operation({
  method: 'post',
  path: '/offers/{offerId}/cancel',
  operationId: 'cancelOffer',
  tags: ['Offers'],
  summary: 'Cancel an offer whose code was not redeemed',
  description:
    'Of a cancellation and a concurrent token request exactly one succeeds; 409 offer_not_cancellable (with the offer status) otherwise.',
  params: z.object({ offerId: z.string() }),
  responses: { '200': answer('Cancelled', cancelledOfferResponse), ...errors(401, 404, 409) },
})

/** Withdrawing what the issuer offers. */
export const LIFECYCLE_OPERATIONS = [deactivateIssuer, deleteCredentialConfiguration, cancelOffer]

export interface IssuerLifecycleRoutesOptions {
  directory: IssuerDirectory
  offers: OfferManagement
}

/**
 * Withdrawing what the issuer offers:
 * - `DELETE /issuers/:issuerId` deactivates an issuer: its profile leaves the active ones (so its
 *   metadata, token, credential and status-list endpoints answer 404) and is kept as a
 *   deactivated record; every offer of it that has not issued its credential is cancelled. Its
 *   key stays in the KMS and its DID is not touched, so credentials it issued keep verifying.
 * - `DELETE /issuers/:issuerId/credential-configurations/:configurationId` removes one
 *   configuration from the issuer's metadata and cancels its open offers.
 * - `POST /offers/:offerId/cancel` cancels an offer whose code was not redeemed yet (409
 *   `offer_not_cancellable` otherwise, with its status).
 */
export function issuerLifecycleRoutes(options: IssuerLifecycleRoutesOptions): BoundRoute[] {
  const { directory, offers } = options

  const deactivate = deactivateIssuer.handle(async (request, response) => {
    const { tenantContext, tenant } = response.locals as TenantRequestLocals
    const { issuerId } = deactivateIssuer.params(request)
    // Repeatable: a retry after a failure part-way finds the deactivated record and finishes.
    const { record: deactivated, moved } = await issuerDeactivation.deactivate(tenantContext, issuerId)
    if (moved) directory.invalidate(issuerId)
    if (!deactivated) throw new DomainError('issuer_not_found', `No issuer '${issuerId}' in this tenant`)
    const cancelledOffers = await offers.cancelOpen(tenant.id, issuerId)
    response.json({ issuerId, status: 'deactivated', deactivatedAt: deactivated.deactivatedAt, cancelledOffers })
  })

  const removeConfiguration = deleteCredentialConfiguration.handle(async (request, response) => {
    const { tenantContext, tenant } = response.locals as TenantRequestLocals
    const { issuerId, configurationId } = deleteCredentialConfiguration.params(request)
    const profile = await issuerProfiles.get(tenantContext, issuerId)
    if (!Object.hasOwn(profile.configurations, configurationId)) {
      throw new DomainError(
        'configuration_not_found',
        `Issuer '${profile.issuerId}' has no credential configuration '${configurationId}'`,
      )
    }
    delete profile.configurations[configurationId]
    await issuerProfiles.update(tenantContext, profile.issuerId, profile)
    directory.invalidate(profile.issuerId)
    const cancelledOffers = await offers.cancelOpen(tenant.id, profile.issuerId, configurationId)
    response.json({ issuerId: profile.issuerId, credentialConfigurationId: configurationId, cancelledOffers })
  })

  const cancel = cancelOffer.handle(async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    const { offerId } = cancelOffer.params(request)
    const cancelled = await offers.cancel(tenant.id, offerId)
    if (!cancelled) {
      const session = await offers.find(tenant.id, offerId)
      if (!session) throw new DomainError('offer_not_found', `No offer '${offerId}' in this tenant`)
      throw new DomainError(
        'offer_not_cancellable',
        `Only an offer whose code was not redeemed can be cancelled; this one is '${offerStatus(session)}'`,
        { details: { status: offerStatus(session) } },
      )
    }
    response.json({ offerId, status: 'cancelled', cancelledAt: cancelled.cancelledAt })
  })

  return [deactivate, removeConfiguration, cancel]
}

/** Deactivation, removal and cancellation, after the lists and before the issuers' other routes. */
export const issuerLifecycleFeature = feature<{ issuers: IssuerDirectory; offerManagement: OfferManagement }>({
  name: 'issuer lifecycle',
  operations: LIFECYCLE_OPERATIONS,
  routes: ({ issuers, offerManagement }) => issuerLifecycleRoutes({ directory: issuers, offers: offerManagement }),
})
