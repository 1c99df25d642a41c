import type { MdocRecord } from '@credo-ts/core'
import type { ClaimDisplay, ClaimLabel } from '../display/displayTypes.js'
import { credentialMetadataOf, instancesOf, type WalletCredentialBase } from './credentialMetadata.js'

/** One data element of an mdoc, as a card line shows it. */
export interface MdocElement {
  identifier: string
  /** Its labels by locale, from the issuer's metadata (path `[namespace, identifier]`); empty when it gave none. */
  labels: ClaimLabel[]
  /** The value: strings, numbers and booleans as they are; dates as ISO 8601; bytes as base64url. */
  value: unknown
}

/** An mdoc (ISO/IEC 18013-5, `mso_mdoc`) in the wallet, as an app shows it. */
export interface MdocWalletCredential extends WalletCredentialBase {
  format: 'mso_mdoc'
  /** The document type, e.g. `org.iso.18013.5.1.mDL`. */
  docType: string
  /** The data elements by namespace, with their labels. `claims` has the same values as `{ namespace: { element: value } }`. */
  namespaces: Record<string, MdocElement[]>
}

/** A CBOR value as a card shows it (dates, bytes, maps and arrays made JSON-friendly). */
export function cardValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString()
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64url')
  if (value instanceof Map) return Object.fromEntries([...value].map(([key, inner]) => [String(key), cardValue(inner)]))
  if (Array.isArray(value)) return value.map(cardValue)
  if (value && typeof value === 'object' && 'toISOString' in value) return String((value as Date).toISOString())
  return value
}

const labelsOf = (display: readonly ClaimDisplay[], namespace: string, identifier: string) =>
  display.find((claim) => claim.path.length === 2 && claim.path[0] === namespace && claim.path[1] === identifier)
    ?.labels ?? []

/** The app's view of a stored mdoc record: doctype, elements by namespace with labels, validity. */
export function mdocWalletCredential(record: MdocRecord): MdocWalletCredential {
  const mdoc = record.firstCredential
  const stored = credentialMetadataOf(record)
  const claimDisplay = stored?.claimDisplay ?? []
  const claims = Object.fromEntries(
    Object.entries(mdoc.issuerSignedNamespaces).map(([namespace, elements]) => [
      namespace,
      Object.fromEntries(Object.entries(elements).map(([identifier, value]) => [identifier, cardValue(value)])),
    ]),
  ) as Record<string, Record<string, unknown>>
  const validity = mdoc.validityInfo
  return {
    id: record.id,
    format: 'mso_mdoc',
    docType: mdoc.docType,
    issuer: stored?.issuerTrust?.certificate?.chain[0]?.subject ?? 'x5chain',
    ...(stored?.credentialIssuer ? { credentialIssuer: stored.credentialIssuer } : {}),
    ...(stored?.credentialConfigurationId ? { credentialConfigurationId: stored.credentialConfigurationId } : {}),
    display: stored?.display ?? [],
    issuerDisplay: stored?.issuerDisplay ?? [],
    claimDisplay,
    claims,
    namespaces: Object.fromEntries(
      Object.entries(claims).map(([namespace, elements]) => [
        namespace,
        Object.entries(elements).map(([identifier, value]) => ({
          identifier,
          labels: labelsOf(claimDisplay, namespace, identifier),
          value,
        })),
      ]),
    ),
    issuedAt: validity.signed.toISOString(),
    validFrom: validity.validFrom.toISOString(),
    expiresAt: validity.validUntil.toISOString(),
    ...(stored?.issuerTrust ? { issuerTrust: stored.issuerTrust } : {}),
    receivedAt: stored?.receivedAt ?? record.createdAt.toISOString(),
    instances: instancesOf(record, stored?.instancesReceived),
    raw: mdoc.encoded,
  }
}
