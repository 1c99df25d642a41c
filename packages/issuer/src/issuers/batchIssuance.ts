import { z } from 'zod'
import type { IssuerProfile } from './issuerProfiles.js'

/** The most credentials one credential request may yield, whatever an issuer sets. */
export const MAX_BATCH_SIZE = 100

/**
 * An issuer's batch size (OID4VCI 1.0 §8.2, metadata `batch_credential_issuance.batch_size`): how
 * many proofs, so how many credentials, one credential request may carry. 1, the default, is no
 * batch issuance.
 */
export const batchSizeInput = z
  .number()
  .int()
  .min(1)
  .max(MAX_BATCH_SIZE)
  .meta({
    description: `Credentials one request may yield, each bound to its own key (OID4VCI 1.0 batch issuance); 1 (the default) turns batches off, at most ${MAX_BATCH_SIZE}`,
  })

/** The batch size of an issuer; profiles stored before the setting existed issue one credential per request. */
export const batchSizeOf = (profile: Pick<IssuerProfile, 'batchSize'>): number => profile.batchSize ?? 1
