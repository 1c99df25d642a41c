import { randomUUID } from 'node:crypto'
import type { HolderBinding, IssuanceSession } from '../issuance/IssuanceSession.js'
import type { Issuance } from '../issuance/IssuanceSessionStore.js'
import type { CredentialConfiguration } from '../issuers/credentialConfiguration.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import type { CredentialStatusService } from '../status/CredentialStatusService.js'
import { issueCredential } from './issueCredential.js'

/** The credentials of one issuance, and what to record about it in the offer's row. */
export interface IssuedCredentials {
  credentials: string[]
  issuance: Issuance
}

/**
 * Signs the credentials of one issuance, in the configuration's format (issueCredential.ts): one
 * per holder key (a batch has several, OID4VCI 1.0 §8.2), each with its own key, status list index
 * (all reserved at once; SD-JWT VCs only) and salts. Nothing is
 * recorded here: the caller records the issuance with `IssuanceSessionStore.markIssued` and
 * answers the credentials only when that statement succeeds, so a batch is issued whole or not
 * at all. A lost race leaves its reserved indices unused (valid, referenced by no kept row).
 */
export async function issueCredentials(
  issuer: ResolvedIssuer,
  configuration: CredentialConfiguration,
  session: Pick<IssuanceSession, 'claims' | 'credentialNotBefore' | 'credentialExpiresAt'>,
  holders: HolderBinding[],
  status?: CredentialStatusService,
): Promise<IssuedCredentials> {
  const reserved = await status?.reserve(issuer, configuration, holders.length)
  const credentials = await Promise.all(
    holders.map((holder, index) => issueCredential(issuer, configuration, session, holder, reserved?.claims[index])),
  )
  return {
    credentials,
    issuance: {
      credentialCount: holders.length,
      notificationId: randomUUID(),
      ...(reserved ? { statusEntry: reserved.row } : {}),
    },
  }
}
