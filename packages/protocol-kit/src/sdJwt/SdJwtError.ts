/**
 * Why an SD-JWT presentation is refused: `malformed` (not `<jwt>~<disclosure>~…~<kb-jwt>`),
 * `invalid_disclosure` (a disclosure the issuer did not sign, or not referenced once), and of its
 * key-binding proof: `invalid_key_binding` (missing, not `kb+jwt`, no usable `cnf` key, not fresh),
 * `invalid_signature`, `nonce_mismatch`, `audience_mismatch`. `sd_hash` not covering the presented
 * disclosures is `invalid_disclosure`.
 */
export type SdJwtErrorCode =
  | 'malformed'
  | 'invalid_disclosure'
  | 'invalid_key_binding'
  | 'invalid_signature'
  | 'nonce_mismatch'
  | 'audience_mismatch'

export class SdJwtError extends Error {
  public constructor(
    public readonly code: SdJwtErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'SdJwtError'
  }
}
