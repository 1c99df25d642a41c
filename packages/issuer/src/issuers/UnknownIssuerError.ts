/**
 * No active issuer has this id (never made, deactivated, or not an issuer id at all). Each edge
 * answers it in its own shape: the protocol endpoints as OAuth `404 invalid_request`
 * (`knownIssuer`), the REST API as `404 issuer_not_found`.
 */
export class UnknownIssuerError extends Error {
  public constructor(public readonly issuerId: string) {
    super(`Unknown credential issuer '${issuerId}'`)
  }
}
