/**
 * The input of a JWK's RFC 7638 thumbprint: its required members in lexicographic order, as JSON
 * (`crv`, `kty`, `x`, `y` for EC; `crv`, `kty`, `x` for OKP). Two keys are the same key exactly
 * when these agree, so code that only compares keys needs no hash; `jwkThumbprint` (`./jose`)
 * hashes it.
 */
export function jwkThumbprintInput(jwk: { kty?: unknown; crv?: unknown; x?: unknown; y?: unknown }): string {
  const members =
    jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
  return JSON.stringify(members)
}
