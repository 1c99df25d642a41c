import { HttpError, type TenantRequestLocals } from '@attesto/agent-runtime'
import { Router } from 'express'
import type { OfferManagement } from '../issuance/OfferManagement.js'
import { offerStatus } from '../issuance/offerStatus.js'
import { deactivatedIssuers } from '../issuers/deactivatedIssuers.js'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import { issuerProfiles } from '../issuers/issuerProfiles.js'

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
export function issuerLifecycleRoutes(options: IssuerLifecycleRoutesOptions): Router {
  const router = Router()
  const { directory, offers } = options

  router.delete('/issuers/:issuerId', async (request, response) => {
    const { tenantContext, tenant } = response.locals as TenantRequestLocals
    const issuerId = request.params.issuerId as string
    // Repeatable: a retry after a failure part-way finds the deactivated record and finishes.
    const active = await issuerProfiles.find(tenantContext, issuerId)
    let deactivated = await deactivatedIssuers.find(tenantContext, issuerId)
    if (active) {
      deactivated = { ...active, deactivatedAt: new Date().toISOString() }
      await deactivatedIssuers.put(tenantContext, issuerId, deactivated)
      await issuerProfiles.delete(tenantContext, issuerId)
      directory.invalidate(issuerId)
    }
    if (!deactivated) throw new HttpError(404, 'issuer_not_found', `No issuer '${issuerId}' in this tenant`)
    const cancelledOffers = await offers.cancelOpen(tenant.id, issuerId)
    response.json({ issuerId, status: 'deactivated', deactivatedAt: deactivated.deactivatedAt, cancelledOffers })
  })

  router.delete('/issuers/:issuerId/credential-configurations/:configurationId', async (request, response) => {
    const { tenantContext, tenant } = response.locals as TenantRequestLocals
    const configurationId = request.params.configurationId as string
    const profile = await issuerProfiles.get(tenantContext, request.params.issuerId as string)
    if (!Object.hasOwn(profile.configurations, configurationId)) {
      throw new HttpError(
        404,
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

  router.post('/offers/:offerId/cancel', async (request, response) => {
    const { tenant } = response.locals as TenantRequestLocals
    const offerId = request.params.offerId as string
    const cancelled = await offers.cancel(tenant.id, offerId)
    if (!cancelled) {
      const session = await offers.find(tenant.id, offerId)
      if (!session) throw new HttpError(404, 'offer_not_found', `No offer '${offerId}' in this tenant`)
      throw new HttpError(
        409,
        'offer_not_cancellable',
        `Only an offer whose code was not redeemed can be cancelled; this one is '${offerStatus(session)}'`,
        { status: offerStatus(session) },
      )
    }
    response.json({ offerId, status: 'cancelled', cancelledAt: cancelled.cancelledAt })
  })

  return router
}
