import type { Database, RecordPages } from '@attesto/storage-service'
import type { AgentContext } from '@credo-ts/core'
import type { Router } from 'express'
import type { IssuanceSessionStore } from '../issuance/IssuanceSessionStore.js'
import { OfferManagement } from '../issuance/OfferManagement.js'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import { issuerLifecycleRoutes } from './lifecycleRoutes.js'
import { issuerListRoutes } from './listRoutes.js'

export interface ManagementRoutesOptions {
  root: AgentContext
  database: Database
  schema: string
  pages: RecordPages
  sessions: IssuanceSessionStore
  directory: IssuerDirectory
  credentialIssuerBaseUrl: string
}

/** The issuer's management routes (lists, deactivation, cancellation), before its other tenant routes. */
export function managementRoutes(options: ManagementRoutesOptions): Router[] {
  const { root, pages, directory, credentialIssuerBaseUrl } = options
  const offers = new OfferManagement(options.database, options.schema, options.sessions, pages)
  return [
    issuerListRoutes({ root, pages, offers, credentialIssuerBaseUrl }),
    issuerLifecycleRoutes({ directory, offers }),
  ]
}
