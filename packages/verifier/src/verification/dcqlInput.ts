import { z } from 'zod'
import { trustedAuthoritiesInput } from './trustedAuthorities.js'

const queryId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)

const sdJwtVcQuery = z
  .object({
    id: queryId,
    format: z.literal('dc+sd-jwt'),
    meta: z.object({ vct_values: z.array(z.string().min(1)).min(1) }),
    claims: z.array(z.object({ path: z.array(z.union([z.string(), z.number().int()])).min(1) }).loose()).optional(),
    /** OID4VP 1.0 §6.1.1, type `aki` only: credentials must come under one of these authorities. */
    trusted_authorities: trustedAuthoritiesInput.optional(),
  })
  .loose()

/** An mdoc namespace or data element identifier (ISO/IEC 18013-5: a text string). */
const mdocName = z.string().min(1).max(256)

/**
 * OID4VP 1.0 Appendix B.2: an ISO mdoc query. `meta.doctype_value` names the document type; each
 * claim is `[namespace, data element]`, with `intent_to_retain` (B.2.4, ISO/IEC 18013-5
 * §8.3.2.1.2.1) passed on to the wallet.
 */
const mdocQuery = z
  .object({
    id: queryId,
    format: z.literal('mso_mdoc'),
    meta: z.object({ doctype_value: z.string().min(1).max(256) }),
    claims: z
      .array(
        z
          .object({
            path: z.tuple([mdocName, mdocName], {
              error: 'an mdoc claim path is [namespace, data element identifier]',
            }),
            intent_to_retain: z.boolean().optional(),
          })
          .loose(),
      )
      .min(1)
      .max(100)
      .optional(),
    trusted_authorities: trustedAuthoritiesInput.optional(),
  })
  .loose()
  .meta({
    description:
      'An ISO mdoc (OpenID4VP 1.0 B.2): meta.doctype_value, claims as [namespace, data element]; answered with a base64url DeviceResponse device-signed over the OpenID4VP 1.0 session transcript',
  })

const dcqlCredentialQuery = z.discriminatedUnion('format', [sdJwtVcQuery, mdocQuery], {
  error: "format must be 'dc+sd-jwt' (SD-JWT VC) or 'mso_mdoc' (ISO mdoc)",
})

/** The credential formats a verifier takes. */
export type CredentialFormat = 'dc+sd-jwt' | 'mso_mdoc'

/** The formats a stored DCQL query asks for. */
export function queryFormats(query: Record<string, unknown>): Set<CredentialFormat> {
  const credentials = (query as { credentials?: { format?: unknown }[] }).credentials ?? []
  return new Set(credentials.map((credential) => credential.format as CredentialFormat))
}

/**
 * `{ query }`: a DCQL query (OID4VP 1.0 section 6) for dc+sd-jwt and mso_mdoc credentials, up to
 * 20 of them.
 */
export const dcqlInput = z.strictObject({
  query: z.object({ credentials: z.array(dcqlCredentialQuery).min(1).max(20) }).loose(),
})
