import { Kms } from '@credo-ts/core'

/**
 * The KMS could not be reached, timed out, or its circuit breaker is open. Nothing was signed;
 * the caller may retry later. The message names the backend, never key material.
 */
export class KmsUnavailableError extends Kms.KeyManagementError {}
