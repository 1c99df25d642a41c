/**
 * What kind of failure an error is, independent of how it is answered: the edge of each service
 * maps a kind to an HTTP status (`invalid` 400, `unauthorized` 401, `forbidden` 403, `not_found`
 * 404, `conflict` 409, `too_large` 413, `unsupported_media_type` 415, `unprocessable` 422,
 * `too_many_requests` 429, `unavailable` 503, `internal` 500).
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported_media_type'
  | 'unprocessable'
  | 'too_many_requests'
  | 'unavailable'
  | 'internal'

/** One stable error code: its kind, and what it means to the person who reads it. */
export interface ErrorCatalogEntry {
  kind: ErrorKind
  meaning: string
}

/**
 * Every stable error code the services answer in the REST shape (`{ error: { code, message } }`),
 * once: its kind (which gives the HTTP status) and its meaning (docs/ERRORS.md is generated from
 * this). Codes never change meaning; a new failure gets a new code here. The OAuth-shaped codes
 * of the protocol endpoints (`invalid_request`, `invalid_grant`, …) are the specifications' own
 * and are not listed.
 */
export const ERROR_CATALOG = {
  // Any request (the edge and the one error mapping)
  invalid_request: { kind: 'invalid', meaning: 'The request does not match the operation: `details` names each field' },
  invalid_json: { kind: 'invalid', meaning: 'The request body is not valid JSON' },
  invalid_string: {
    kind: 'invalid',
    meaning: 'A string holds a NUL or a lone surrogate, or the path is not valid percent-encoding',
  },
  input_too_deep: { kind: 'invalid', meaning: 'The body is nested more than 32 levels deep' },
  reserved_key: { kind: 'invalid', meaning: 'A key of the body is `__proto__`, `constructor` or `prototype`' },
  unauthorized: { kind: 'unauthorized', meaning: 'No API key, or not one of this service' },
  not_found: { kind: 'not_found', meaning: 'No endpoint, or no record, at this address' },
  method_not_allowed: { kind: 'invalid', meaning: 'The path exists, with other methods (see `Allow`)' },
  payload_too_large: { kind: 'too_large', meaning: 'The body is larger than the operation takes' },
  unsupported_media_type: {
    kind: 'unsupported_media_type',
    meaning: 'The body is not of a content type this operation takes',
  },
  too_many_requests: { kind: 'too_many_requests', meaning: 'Too many requests: wait as long as `Retry-After` says' },
  too_many_large_bodies: {
    kind: 'too_many_requests',
    meaning: 'Too many large uploads in flight: retry after `Retry-After`',
  },
  dependency_unavailable: { kind: 'unavailable', meaning: 'The storage or the KMS is unavailable; retry later' },
  queue_unavailable: {
    kind: 'unavailable',
    meaning: 'The queue (Redis) is unavailable or not configured; nothing was queued',
  },
  internal_error: { kind: 'internal', meaning: 'An unexpected failure (logged, never described)' },
  // Idempotency and pages
  invalid_idempotency_key: {
    kind: 'invalid',
    meaning: 'The Idempotency-Key header is empty or longer than 255 characters',
  },
  idempotency_key_reused: { kind: 'unprocessable', meaning: 'This Idempotency-Key was used with another request' },
  request_in_progress: { kind: 'conflict', meaning: 'The same request is still being worked on: retry shortly' },
  invalid_cursor: { kind: 'invalid', meaning: 'The page cursor is not one this list gave' },
  // Tenants, API keys, webhooks
  tenant_not_found: { kind: 'not_found', meaning: 'No such tenant' },
  api_key_not_found: { kind: 'not_found', meaning: 'No such API key in this tenant' },
  last_api_key: { kind: 'conflict', meaning: 'The tenant’s last API key cannot be revoked' },
  webhook_limit_reached: { kind: 'conflict', meaning: 'The tenant has as many webhook endpoints as it may' },
  // Certificates (both roles)
  certificate_unreadable: { kind: 'invalid', meaning: 'A certificate is not a readable X.509 certificate' },
  certificate_key_mismatch: { kind: 'invalid', meaning: 'The leaf certificate does not certify the identity’s key' },
  certificate_self_signed: { kind: 'invalid', meaning: 'The leaf certificate is self-signed' },
  certificate_chain_broken: { kind: 'invalid', meaning: 'A certificate of the chain is not signed by the next one' },
  certificate_not_yet_valid: { kind: 'invalid', meaning: 'A certificate of the chain is not valid yet' },
  certificate_expired: { kind: 'invalid', meaning: 'A certificate of the chain has expired' },
  certificate_key_usage: { kind: 'invalid', meaning: 'A certificate’s key usage does not allow what it is used for' },
  certificate_untrusted: { kind: 'invalid', meaning: 'The chain does not lead to a trusted anchor' },
  certificate_in_use: { kind: 'conflict', meaning: 'The certificate is needed by a credential configuration (mdoc)' },
  certificate_required: { kind: 'conflict', meaning: 'The operation needs the identity’s certificate first' },
  certificate_country_missing: {
    kind: 'conflict',
    meaning: 'The certificate’s CA names no country, which an mdoc needs',
  },
  // Issuer: identities and configurations
  issuer_not_found: { kind: 'not_found', meaning: 'No such issuer in this tenant (or it is deactivated)' },
  issuer_key_unsupported: {
    kind: 'invalid',
    meaning: 'The issuer’s key type cannot sign this format (an mdoc needs P-256)',
  },
  scope_in_use: { kind: 'conflict', meaning: 'Another configuration of the issuer has this scope' },
  configuration_not_found: { kind: 'not_found', meaning: 'No such credential configuration on this issuer' },
  credential_configuration_not_found: { kind: 'not_found', meaning: 'No such credential configuration on this issuer' },
  claims_invalid: { kind: 'invalid', meaning: 'The claims do not match the configuration' },
  claim_unknown: { kind: 'invalid', meaning: 'A claim the configuration does not have' },
  claim_missing: { kind: 'invalid', meaning: 'A claim the configuration requires is missing' },
  claim_invalid: { kind: 'invalid', meaning: 'A claim’s value is not of the type the configuration gives it' },
  invalid_validity: {
    kind: 'invalid',
    meaning: 'The credential’s validity is not within what the configuration allows',
  },
  identity_provider_not_found: { kind: 'not_found', meaning: 'The issuer has no OpenID provider configured' },
  authorization_server_not_found: {
    kind: 'not_found',
    meaning: 'The issuer has no external authorization server configured',
  },
  authorization_server_invalid: { kind: 'invalid', meaning: 'The authorization server’s settings are not usable' },
  unknown_credential_configuration: {
    kind: 'invalid',
    meaning: 'A claims source names a configuration the issuer does not have',
  },
  claims_source_invalid: { kind: 'invalid', meaning: 'A claims source is not usable for its configuration' },
  own_authorization_server_disabled: {
    kind: 'conflict',
    meaning: 'The issuer uses only an external authorization server: it makes no offers',
  },
  // Issuer: offers, batches, statuses
  offer_not_found: { kind: 'not_found', meaning: 'No such offer in this tenant' },
  offer_not_cancellable: { kind: 'conflict', meaning: 'The offer is past the point where it can be cancelled' },
  offer_not_deferred: { kind: 'conflict', meaning: 'The offer is not waiting for its claims' },
  claims_already_approved: { kind: 'conflict', meaning: 'The deferred offer’s claims were approved already' },
  grant_option_invalid: { kind: 'invalid', meaning: 'The offer’s grant options do not fit together' },
  batch_not_found: { kind: 'not_found', meaning: 'No such batch in this tenant' },
  batch_empty: { kind: 'invalid', meaning: 'The batch has no rows' },
  batch_too_large: { kind: 'too_large', meaning: 'The batch has more rows than a batch may' },
  invalid_csv: { kind: 'invalid', meaning: 'The CSV body cannot be read' },
  csv_not_supported: { kind: 'invalid', meaning: 'This batch cannot be given as CSV' },
  credential_status_not_found: { kind: 'not_found', meaning: 'No revocable credential was issued on this offer' },
  credential_revoked: {
    kind: 'conflict',
    meaning: 'The credential is revoked: a revoked credential cannot change status',
  },
  suspension_not_supported: { kind: 'conflict', meaning: 'The credential’s configuration does not allow suspension' },
  // Verifier
  verifier_not_found: { kind: 'not_found', meaning: 'No such verifier in this tenant (or it is deleted)' },
  verifier_certificate_missing: {
    kind: 'invalid',
    meaning: 'The verifier has no certificate for an x509 client identifier',
  },
  client_id_not_in_certificate: {
    kind: 'invalid',
    meaning: 'The verifier’s certificate does not name the client identifier',
  },
  presentation_request_not_found: { kind: 'not_found', meaning: 'No such presentation request in this tenant' },
  presentation_request_not_cancellable: { kind: 'conflict', meaning: 'The presentation request is decided already' },
  response_encryption_unsupported: { kind: 'invalid', meaning: 'The KMS cannot decrypt responses for this request' },
  response_code_required: {
    kind: 'forbidden',
    meaning: 'A same-device result is released only with its response code',
  },
  redirect_uri_not_configured: {
    kind: 'invalid',
    meaning: 'The verifier has no redirect URIs for a same-device request',
  },
  redirect_uri_not_allowed: { kind: 'invalid', meaning: 'The redirect URI is not one of the verifier’s' },
} as const satisfies Record<string, ErrorCatalogEntry>

/** A stable error code of the REST answers. */
export type ErrorCode = keyof typeof ERROR_CATALOG
