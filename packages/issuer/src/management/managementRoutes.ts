import type { Router } from 'express'
import type { IssuerRuntime } from '../app.js'
import { OfferManagement } from '../issuance/OfferManagement.js'
import { issuerLifecycleRoutes } from '../routes/lifecycleRoutes.js'
import { issuerListRoutes } from '../routes/listRoutes.js'

/** The issuer's management routes (lists, deactivation, cancellation), before its other tenant routes. */
export function managementRoutes(runtime: IssuerRuntime, credentialIssuerBaseUrl: string, schema: string): Router[] {
  const offers = new OfferManagement(runtime.storage.database, schema, runtime.offers.sessions, runtime.pages)
  return [
    issuerListRoutes({ root: runtime.agent.context, pages: runtime.pages, offers, credentialIssuerBaseUrl }),
    issuerLifecycleRoutes({ directory: runtime.issuers, offers }),
  ]
}
