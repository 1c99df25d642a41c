import { MdocRecord, type SdJwtVcRecord } from '@credo-ts/core'
import { typeMetadataDisplayOf } from '../display/metadataDisplay.js'
import {
  credentialMetadataOf,
  instancesOf,
  isoDate,
  REGISTERED_CLAIMS,
  type WalletCredentialBase,
  type WalletRecord,
} from './credentialMetadata.js'
import { type MdocWalletCredential, mdocWalletCredential } from './MdocCredential.js'

export {
  attachCredentialMetadata,
  CREDENTIAL_ISSUER_TAG,
  type CredentialInstances,
  credentialMetadataOf,
  instancesOf,
  REGISTERED_CLAIMS,
  type StoredCredentialMetadata,
  type WalletRecord,
} from './credentialMetadata.js'

/** An SD-JWT VC in the wallet, as an app shows it: everything needed for the card, offline. */
export interface SdJwtWalletCredential extends WalletCredentialBase {
  format: 'dc+sd-jwt'
  /** The SD-JWT VC type. */
  vct: string
}

/** A credential in the wallet, as an app shows it: switch on `format`. */
export type WalletCredential = SdJwtWalletCredential | MdocWalletCredential

/** The app's view of a stored credential record. */
export function toWalletCredential(record: WalletRecord): WalletCredential {
  return record instanceof MdocRecord ? mdocWalletCredential(record) : sdJwtWalletCredential(record)
}

/** The app's view of a stored SD-JWT VC record. */
function sdJwtWalletCredential(record: SdJwtVcRecord): SdJwtWalletCredential {
  const { prettyClaims, header, compact } = record.firstCredential
  const pretty = prettyClaims as Record<string, unknown>
  const stored = credentialMetadataOf(record)
  const fromType = typeMetadataDisplayOf(record.typeMetadata)
  const x5c = header.x5c as string[] | undefined
  return {
    id: record.id,
    format: 'dc+sd-jwt',
    vct: String(pretty.vct),
    issuer: String(pretty.iss ?? stored?.issuerTrust?.certificate?.chain[0]?.subject ?? (x5c ? 'x5c' : '')),
    ...(stored?.credentialIssuer ? { credentialIssuer: stored.credentialIssuer } : {}),
    ...(stored?.credentialConfigurationId ? { credentialConfigurationId: stored.credentialConfigurationId } : {}),
    display: stored?.display.length ? stored.display : fromType.display,
    issuerDisplay: stored?.issuerDisplay ?? [],
    claimDisplay: stored?.claimDisplay.length ? stored.claimDisplay : fromType.claims,
    claims: Object.fromEntries(Object.entries(pretty).filter(([name]) => !REGISTERED_CLAIMS.has(name))),
    ...definedDates(pretty),
    ...(stored?.issuerTrust ? { issuerTrust: stored.issuerTrust } : {}),
    receivedAt: stored?.receivedAt ?? record.createdAt.toISOString(),
    instances: instancesOf(record, stored?.instancesReceived),
    raw: compact,
  }
}

function definedDates(pretty: Record<string, unknown>) {
  const dates = { issuedAt: isoDate(pretty.iat), validFrom: isoDate(pretty.nbf), expiresAt: isoDate(pretty.exp) }
  return Object.fromEntries(Object.entries(dates).filter(([, value]) => value !== undefined)) as {
    issuedAt?: string
    validFrom?: string
    expiresAt?: string
  }
}
