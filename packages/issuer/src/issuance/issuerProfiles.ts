import { HttpError } from '@attesto/agent-runtime'
import { type AgentContext, GenericRecordsApi } from '@credo-ts/core'
import type { CredentialConfiguration } from './credentialConfiguration.js'

/** What the API keeps about an issuer identity, next to Credo's own issuer record. */
export interface IssuerProfile {
  issuerId: string
  did: string
  didUrl: string
  keyId: string
  configurations: Record<string, CredentialConfiguration>
}

const recordId = (issuerId: string) => `issuer-profile-${issuerId}`

function records(tenantContext: AgentContext) {
  return tenantContext.dependencyManager.resolve(GenericRecordsApi)
}

export async function saveIssuerProfile(tenantContext: AgentContext, profile: IssuerProfile): Promise<void> {
  await records(tenantContext).save({
    id: recordId(profile.issuerId),
    content: { ...profile },
    tags: { kind: 'issuer' },
  })
}

/** The tenant's issuer profile, or 404 `issuer_not_found` (also for another tenant's issuer). */
export async function getIssuerProfile(tenantContext: AgentContext, issuerId: string): Promise<IssuerProfile> {
  const record = await records(tenantContext).findById(recordId(issuerId))
  if (!record) throw new HttpError(404, 'issuer_not_found', `No issuer '${issuerId}' in this tenant`)
  return record.content as unknown as IssuerProfile
}

export async function updateIssuerProfile(tenantContext: AgentContext, profile: IssuerProfile): Promise<void> {
  const api = records(tenantContext)
  const record = await api.findById(recordId(profile.issuerId))
  if (!record) throw new HttpError(404, 'issuer_not_found', `No issuer '${profile.issuerId}' in this tenant`)
  record.content = { ...profile }
  await api.update(record)
}
