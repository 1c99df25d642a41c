import type { AgentServices } from '@attesto/agent-runtime'
import type { ModulesMap } from '@credo-ts/core'
import { CredentialStatusService } from '../status/CredentialStatusService.js'
import { CredentialStatusStore } from '../status/CredentialStatusStore.js'
import { StatusListPublisher } from '../status/StatusListPublisher.js'
import { StatusLists } from '../status/StatusLists.js'
import type { StatusListConfig } from '../status/statusConfig.js'
import { issuerEvents } from '../webhooks/issuerEvents.js'

/**
 * The issuer's status lists, credential statuses and their published tokens (docs/REVOCATION.md),
 * on the role's storage; a status change becomes a `credential.status_changed` webhook event.
 */
export function createCredentialStatus(
  agentRuntime: Pick<AgentServices<ModulesMap>, 'storage' | 'webhooks'>,
  schema: string,
  statusConfig: StatusListConfig,
  credentialIssuerBaseUrl: string,
) {
  const { database } = agentRuntime.storage
  const statusLists = new StatusLists(database, schema, statusConfig.listSize, statusConfig.allocationBlock)
  const statuses = new CredentialStatusStore(database, schema)
  const publisher = new StatusListPublisher(
    database,
    schema,
    statusLists,
    statuses,
    statusConfig,
    credentialIssuerBaseUrl,
  )
  const credentialStatus = new CredentialStatusService(
    statusLists,
    statuses,
    publisher,
    issuerEvents(agentRuntime.webhooks).onStatusChanged,
  )
  return { credentialStatus, statuses, publisher }
}
