import { CredentialMultiInstanceState, type MdocRecord, type SdJwtVcRecord } from '@credo-ts/core'
import type { ClaimDisplay, IssuerDisplay, LocalizedDisplay } from '../display/displayTypes.js'
import type { NotificationTicket } from '../notifications/issuerNotifications.js'
import type { TrustResult } from '../trust/TrustPolicy.js'

/** A credential record of the wallet: an SD-JWT VC or an mdoc. */
export type WalletRecord = SdJwtVcRecord | MdocRecord

/** How many copies (instances) of a credential the wallet holds, each bound to its own key. */
export interface CredentialInstances {
  /** How many the issuer gave (more than 1: a batch). */
  received: number
  /** How many were never presented: each presentation uses one up (unless the app allows reuse). */
  unused: number
}

/** What every card has, whatever the credential's format. */
export interface WalletCredentialBase {
  id: string
  /** Who signed it: the `iss` claim (a DID or the credential issuer's URL), else the certificate's subject. */
  issuer: string
  /** The OID4VCI credential issuer it came from, and the configuration it was offered under. */
  credentialIssuer?: string
  credentialConfigurationId?: string
  /** Name, description, logo and colours by locale (issuer metadata, else the type's metadata). */
  display: LocalizedDisplay[]
  /** The issuer's name and logo by locale. */
  issuerDisplay: IssuerDisplay[]
  /** Claim labels by locale. */
  claimDisplay: ClaimDisplay[]
  /** All claims, disclosed or not (the wallet holds every disclosure). */
  claims: Record<string, unknown>
  /** `iat`, `nbf`, `exp` as ISO 8601, when the credential has them. */
  issuedAt?: string
  validFrom?: string
  expiresAt?: string
  /** The wallet's verdict on the issuer when the credential arrived. */
  issuerTrust?: TrustResult
  receivedAt: string
  /** Its copies: one card however many instances the issuer gave. */
  instances: CredentialInstances
  /** The credential as issued (compact SD-JWT VC with all disclosures; base64url IssuerSigned of an mdoc). */
  raw: string
}

/** What the wallet stores beside a credential at acceptance (Credo record metadata). */
export interface StoredCredentialMetadata {
  credentialIssuer?: string
  credentialConfigurationId?: string
  display: LocalizedDisplay[]
  issuerDisplay: IssuerDisplay[]
  claimDisplay: ClaimDisplay[]
  issuerTrust?: TrustResult
  receivedAt: string
  /** How many instances the issuer gave (absent: one). */
  instancesReceived?: number
  /** What the wallet needs to tell the issuer the credential was deleted (never shown to the app). */
  notification?: NotificationTicket
}

const METADATA_KEY = 'attesto/walletCredential'
/** A record tag, so the credentials of one credential issuer are found by an indexed query. */
export const CREDENTIAL_ISSUER_TAG = 'credentialIssuer'

/** JWT and SD-JWT VC claims about the credential itself rather than its subject. */
export const REGISTERED_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'vct',
  'cnf',
  'iat',
  'exp',
  'nbf',
  'status',
  '_sd_alg',
  '_sd',
  'vct#integrity',
])

/** Keeps what the card needs with the record (saved when the record is stored). */
export function attachCredentialMetadata(record: WalletRecord, metadata: StoredCredentialMetadata): void {
  record.metadata.set(METADATA_KEY, metadata as unknown as Record<string, unknown>)
  if (metadata.credentialIssuer) record.setTag(CREDENTIAL_ISSUER_TAG, metadata.credentialIssuer)
}

export function credentialMetadataOf(record: WalletRecord): StoredCredentialMetadata | undefined {
  return (record.metadata.get(METADATA_KEY) as StoredCredentialMetadata | null) ?? undefined
}

/** The instances left on a record: Credo removes each one presented, and marks the last one used instead. */
export function instancesOf(
  record: Pick<WalletRecord, 'credentialInstances' | 'multiInstanceState'>,
  received?: number,
): CredentialInstances {
  const left = record.credentialInstances.length
  const lastUsed =
    record.multiInstanceState === CredentialMultiInstanceState.MultiInstanceFirstUsed ||
    record.multiInstanceState === CredentialMultiInstanceState.SingleInstanceUsed
  return { received: received ?? left, unused: lastUsed ? left - 1 : left }
}

export const isoDate = (seconds: unknown) =>
  typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : undefined
