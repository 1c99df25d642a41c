import { z } from 'zod'
import { trustedAuthoritiesInput } from './trustedAuthorities.js'

const dcqlCredentialQuery = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    format: z.literal('dc+sd-jwt'),
    meta: z.object({ vct_values: z.array(z.string().min(1)).min(1) }),
    claims: z.array(z.object({ path: z.array(z.union([z.string(), z.number().int()])).min(1) }).loose()).optional(),
    /** OID4VP 1.0 §6.1.1, type `aki` only: credentials must come under one of these authorities. */
    trusted_authorities: trustedAuthoritiesInput.optional(),
  })
  .loose()

/** `{ query }`: a DCQL query (OID4VP 1.0 section 6) for dc+sd-jwt credentials, up to 20 of them. */
export const dcqlInput = z.strictObject({
  query: z.object({ credentials: z.array(dcqlCredentialQuery).min(1).max(20) }).loose(),
})
