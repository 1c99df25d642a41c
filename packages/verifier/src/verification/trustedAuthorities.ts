import { z } from 'zod'
import { type RejectionReason, rejectionReason } from './rejectionReason.js'

/** A key identifier as OID4VP 1.0 §6.1.1 writes it: base64url, no padding. */
const keyIdentifier = z
  .string()
  .regex(/^[A-Za-z0-9_-]{2,128}$/, 'a key identifier (the KeyIdentifier of an Authority Key Identifier), base64url')

/**
 * DCQL `trusted_authorities` (OID4VP 1.0 §6.1.1) as the verifier honours it: entries of type
 * `aki`, each with the base64url key identifiers of the authorities it accepts. The other types
 * (`etsi_tl`, `openid_federation`) are refused rather than passed on unchecked.
 */
export const trustedAuthoritiesInput = z
  .array(
    z.strictObject({
      type: z.literal('aki', {
        error: "only trusted authorities of type 'aki' are supported (not etsi_tl or openid_federation)",
      }),
      values: z.array(keyIdentifier).min(1).max(50),
    }),
  )
  .min(1)
  .max(10)

interface QueryWithAuthorities {
  credentials?: { id?: unknown; trusted_authorities?: { type?: unknown; values?: unknown }[] }[]
}

/**
 * The query without its `trusted_authorities`, for the DCQL library's check of claims and types:
 * the authorities are checked by {@link trustedAuthoritiesVerdict}, with a reason of their own.
 */
export function withoutTrustedAuthorities(query: Record<string, unknown>): Record<string, unknown> {
  const { credentials } = query as QueryWithAuthorities
  if (!credentials?.some((credential) => credential.trusted_authorities)) return query
  return {
    ...query,
    credentials: credentials.map(({ trusted_authorities: _authorities, ...credential }) => credential),
  }
}

/** Per credential query id: the key identifiers its `aki` entries accept, as canonical base64url. */
function acceptedAuthorities(query: Record<string, unknown>): Map<string, Set<string>> {
  const accepted = new Map<string, Set<string>>()
  for (const credential of (query as QueryWithAuthorities).credentials ?? []) {
    if (!credential.trusted_authorities || typeof credential.id !== 'string') continue
    const values = credential.trusted_authorities
      .filter((authority) => authority.type === 'aki' && Array.isArray(authority.values))
      .flatMap((authority) => authority.values as string[])
    // The raw bytes must match (§6.1.1): compare canonical encodings, not the strings as given.
    accepted.set(credential.id, new Set(values.map((value) => Buffer.from(value, 'base64url').toString('base64url'))))
  }
  return accepted
}

/** A verified credential, with the query it answers and its chain's Authority Key Identifiers. */
export interface CredentialForAuthorities {
  queryId: string
  credential: { authorityKeyIds?: string[] }
}

/**
 * The request's `trusted_authorities` on a verified presentation: every credential answering a
 * query that lists authorities of type `aki` must carry an `x5c` chain with a certificate whose
 * Authority Key Identifier is one of them. Undefined when that holds; otherwise the request is
 * rejected as `untrusted_authority`.
 */
export function trustedAuthoritiesVerdict(
  verified: readonly CredentialForAuthorities[],
  dcqlQuery: Record<string, unknown>,
): RejectionReason | undefined {
  const accepted = acceptedAuthorities(dcqlQuery)
  for (const { queryId, credential } of verified) {
    const values = accepted.get(queryId)
    if (!values) continue
    if (!credential.authorityKeyIds) {
      return rejectionReason(
        'untrusted_authority',
        `The credential for '${queryId}' has no X.509 chain (x5c) to match the query's trusted_authorities`,
      )
    }
    if (!credential.authorityKeyIds.some((id) => values.has(id))) {
      return rejectionReason(
        'untrusted_authority',
        `No certificate in the x5c chain of the credential for '${queryId}' has an Authority Key Identifier the query's trusted_authorities name`,
      )
    }
  }
  return undefined
}
