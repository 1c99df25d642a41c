import { type Agent, MdocRecord } from '@credo-ts/core'
import type { OpenId4VcModule } from '@credo-ts/openid4vc'
import type { ActivityLog } from '../activity/ActivityLog.js'
import { notifyIssuer } from '../notifications/issuerNotifications.js'
import { credentialMetadataOf, type WalletRecord } from './credentialMetadata.js'

export interface DeleteCredentialOptions {
  /** Tell the issuer `credential_deleted` (OID4VCI 1.0 §11) when it gave a notification id (default: true). */
  notifyIssuer?: boolean
}

export interface DeleteCredentialReturn {
  /** Whether the issuer took the `credential_deleted` notification (false: none was due, or its token had expired). */
  issuerNotified: boolean
}

/**
 * Removes a credential, every instance of it and the keys they are bound to, then tells its issuer
 * with the access token it came with (best effort: an expired token or an unreachable issuer does
 * not keep the credential), and writes it in the history.
 */
export async function deleteCredential(
  agent: Agent<{ openid4vc: OpenId4VcModule }>,
  activity: ActivityLog,
  record: WalletRecord,
  options: DeleteCredentialOptions,
): Promise<DeleteCredentialReturn> {
  const core = agent as unknown as Agent
  const metadata = credentialMetadataOf(record)
  if (record instanceof MdocRecord) await core.mdoc.deleteById(record.id)
  else await core.sdJwtVc.deleteById(record.id)
  for (const { kmsKeyId } of record.credentialInstances) {
    if (kmsKeyId) await core.kms.deleteKey({ keyId: kmsKeyId }).catch(() => false)
  }
  const ticket = options.notifyIssuer === false ? undefined : metadata?.notification
  const issuerNotified = ticket ? await notifyIssuer(agent, ticket, 'credential_deleted') : false
  await activity.record({
    type: 'credential_deleted',
    party: metadata?.credentialIssuer ?? '',
    credentialIds: [record.id],
    ...(ticket ? { detail: issuerNotified ? 'issuer notified' : 'issuer not notified' } : {}),
  })
  return { issuerNotified }
}
