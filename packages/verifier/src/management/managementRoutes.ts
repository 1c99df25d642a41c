import type { RuntimeAgent } from '@attesto/agent-runtime'
import type { ModulesMap } from '@credo-ts/core'
import type { Router } from 'express'
import type { VerifierDirectory } from '../protocol/VerifierDirectory.js'
import { verifierLifecycleRoutes } from '../routes/lifecycleRoutes.js'
import { verifierListRoutes } from '../routes/listRoutes.js'
import { PresentationRequestManagement } from '../verification/PresentationRequestManagement.js'

/** The verifier's management routes (lists, deletion, cancellation), before its other tenant routes. */
export function managementRoutes<Modules extends ModulesMap>(
  runtime: RuntimeAgent<Modules>,
  directory: VerifierDirectory,
): Router[] {
  const requests = new PresentationRequestManagement(
    runtime.storage.database,
    runtime.config.storage.schema,
    runtime.pages,
  )
  return [verifierLifecycleRoutes(directory, requests), verifierListRoutes(runtime.pages, requests)]
}
