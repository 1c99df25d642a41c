/**
 * What kind of failure an error is, independent of how it is answered: the edge of each service
 * maps a kind to an HTTP status (`invalid` 400, `unauthorized` 401, `forbidden` 403, `not_found`
 * 404, `method_not_allowed` 405, `conflict` 409, `too_large` 413, `unsupported_media_type` 415, `unprocessable` 422,
 * `too_many_requests` 429, `unavailable` 503, `internal` 500).
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'method_not_allowed'
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
 * this, and REST-API.md's table of errors). Codes never change meaning; a new failure gets a new code here. The OAuth-shaped codes
 * of the protocol endpoints (`invalid_request`, `invalid_grant`, …) are the specifications' own
 * and are not listed.
 */
export const ERROR_CATALOG = {
  // Any request: the edge and the one error mapping
  invalid_request: {
    kind: 'invalid',
    meaning:
      "The body or a parameter does not match the schema (`details` lists each problem); a field the operation does not take is refused by name (`body: unknown field 'expiresIn': remove it`), never silently dropped",
  },
  invalid_json: { kind: 'invalid', meaning: 'The body is not JSON' },
  invalid_string: {
    kind: 'invalid',
    meaning:
      'A string of the body, query or path holds a NUL character or a lone UTF-16 surrogate, or the path is not valid percent-encoding',
  },
  input_too_deep: { kind: 'invalid', meaning: 'The JSON nests deeper than 32 levels' },
  reserved_key: {
    kind: 'invalid',
    meaning:
      'A key of the body or query, at any depth, is `__proto__`, `constructor` or `prototype` (nothing is stored; the protocol endpoints answer `invalid_request` with `reserved_key` first in the description)',
  },
  unauthorized: { kind: 'unauthorized', meaning: 'Missing, wrong, revoked or expired API key' },
  cors_origin_not_allowed: {
    kind: 'forbidden',
    meaning: 'A browser preflight from an origin not in `CORS_ALLOWED_ORIGINS`',
  },
  not_found: {
    kind: 'not_found',
    meaning: 'No endpoint at this path (with a valid key; without one, `401`), or no such record',
  },
  method_not_allowed: {
    kind: 'method_not_allowed',
    meaning: 'The path takes other methods, listed in the `Allow` header',
  },
  payload_too_large: {
    kind: 'too_large',
    meaning: 'The body is over 1 MiB (over the operation’s own limit for bulk uploads)',
  },
  unsupported_media_type: {
    kind: 'unsupported_media_type',
    meaning: 'A body that is not `application/json` (nor `text/csv` where a bulk upload takes it)',
  },
  too_many_requests: {
    kind: 'too_many_requests',
    meaning: 'Over `API_REQUESTS_PER_MINUTE_PER_TENANT`; `Retry-After` says when to retry',
  },
  too_many_large_bodies: {
    kind: 'too_many_requests',
    meaning: 'Too many large uploads in flight, on this instance or of this tenant; `Retry-After` says when to retry',
  },
  dependency_unavailable: { kind: 'unavailable', meaning: 'Storage or KMS unavailable; retry later' },
  queue_unavailable: {
    kind: 'unavailable',
    meaning: 'The queue (Redis) is unavailable or not configured; nothing was queued, retry later',
  },
  internal_error: { kind: 'internal', meaning: 'Anything else; details are logged, never returned' },
  // Idempotency and lists
  invalid_idempotency_key: {
    kind: 'invalid',
    meaning: 'The `Idempotency-Key` header is not 1-255 visible ASCII characters',
  },
  idempotency_key_reused: { kind: 'unprocessable', meaning: 'The `Idempotency-Key` was used with a different body' },
  request_in_progress: { kind: 'conflict', meaning: 'The same `Idempotency-Key` is still being processed' },
  invalid_cursor: { kind: 'invalid', meaning: "A list's `cursor` is not a `next_cursor` this list answered" },
  // Tenants, API keys, webhooks
  tenant_not_found: { kind: 'not_found', meaning: 'No such tenant (admin)' },
  api_key_not_found: { kind: 'not_found', meaning: 'No such API key in this tenant' },
  last_api_key: { kind: 'conflict', meaning: "The tenant's last API key cannot be revoked" },
  webhook_not_found: { kind: 'not_found', meaning: 'No such webhook in this tenant' },
  dead_letter_not_found: { kind: 'not_found', meaning: 'No such dead-lettered delivery in this tenant' },
  outbox_entry_not_found: { kind: 'not_found', meaning: 'No such webhook outbox entry in this tenant' },
  undeliverable_not_found: { kind: 'not_found', meaning: 'No such undeliverable webhook delivery' },
  webhook_limit_reached: { kind: 'conflict', meaning: 'The tenant has `WEBHOOK_MAX_PER_TENANT` webhooks already' },
  // Certificates (issuer and verifier identities, trust anchors)
  certificate_unreadable: {
    kind: 'invalid',
    meaning: 'A certificate is not a readable X.509 certificate (PEM or base64 DER)',
  },
  certificate_key_mismatch: { kind: 'invalid', meaning: "The leaf certificate does not certify the identity's key" },
  certificate_self_signed: {
    kind: 'invalid',
    meaning: 'The leaf certificate is self-signed: upload one issued by a CA',
  },
  certificate_chain_broken: { kind: 'invalid', meaning: 'A certificate of the chain is not issued by the next one' },
  certificate_not_yet_valid: { kind: 'invalid', meaning: 'A certificate of the chain is not valid yet' },
  certificate_expired: { kind: 'invalid', meaning: 'A certificate of the chain has expired' },
  certificate_key_usage: {
    kind: 'invalid',
    meaning: "A certificate's key usage does not allow what it is used for (signing, or issuing certificates)",
  },
  certificate_untrusted: { kind: 'invalid', meaning: 'The chain does not lead to a trusted anchor' },
  certificate_required: { kind: 'conflict', meaning: "An mso_mdoc configuration needs the issuer's certificate" },
  certificate_country_missing: {
    kind: 'conflict',
    meaning: 'An mso_mdoc configuration needs a certificate from a CA that names its country',
  },
  certificate_in_use: {
    kind: 'conflict',
    meaning: 'The certificate cannot be removed while mso_mdoc configurations need it',
  },
  // Issuer: identities, configurations, authorization
  issuer_not_found: { kind: 'not_found', meaning: 'No such issuer in this tenant (or it is deactivated)' },
  issuer_key_unsupported: {
    kind: 'invalid',
    meaning: 'An mso_mdoc configuration for an issuer whose key is not P-256',
  },
  scope_in_use: { kind: 'conflict', meaning: 'Another configuration of the issuer has this scope' },
  configuration_not_found: { kind: 'not_found', meaning: 'No such credential configuration of the issuer' },
  credential_configuration_not_found: { kind: 'not_found', meaning: 'No such credential configuration of the issuer' },
  claim_unknown: {
    kind: 'invalid',
    meaning: "An offer's claim is not one of the configuration's; the message names it",
  },
  claim_missing: {
    kind: 'invalid',
    meaning: 'A required claim of the configuration is missing from the offer; the message names it',
  },
  claim_invalid: {
    kind: 'invalid',
    meaning: "An offer's claim does not have its configured type; the message names it",
  },
  claims_invalid: {
    kind: 'invalid',
    meaning:
      "Several claims do not fit: all of them in one answer; `details` has one `{ claim, code, message }` per claim (an mdoc's claim is named `<namespace>/<element>`)",
  },
  invalid_validity: {
    kind: 'invalid',
    meaning:
      "`credentialValidUntil` is not after now and its start, or is more than the configuration's `validitySeconds` away",
  },
  csv_not_supported: {
    kind: 'invalid',
    meaning: 'A CSV batch for an mso_mdoc configuration (its claims are grouped by namespace: send JSON)',
  },
  identity_provider_not_found: { kind: 'not_found', meaning: 'The tenant has no OpenID provider configured' },
  authorization_server_not_found: {
    kind: 'not_found',
    meaning: 'The issuer has no external authorization server configured',
  },
  authorization_server_invalid: { kind: 'invalid', meaning: "The authorization server's settings are not usable" },
  unknown_credential_configuration: {
    kind: 'invalid',
    meaning: 'A claims source names a configuration the issuer does not have',
  },
  claims_source_invalid: { kind: 'invalid', meaning: 'A claims source is not usable for its configuration' },
  own_authorization_server_disabled: {
    kind: 'conflict',
    meaning: 'The issuer uses only an external authorization server, so it makes no offers',
  },
  wallet_provider_not_found: { kind: 'not_found', meaning: 'No such trusted wallet provider in this tenant' },
  // Issuer: offers, batches, statuses
  offer_not_found: { kind: 'not_found', meaning: 'No such offer in this tenant' },
  offer_not_cancellable: {
    kind: 'conflict',
    meaning: 'Only an unredeemed offer can be cancelled; `details.status` is its status',
  },
  offer_not_deferred: { kind: 'conflict', meaning: 'The offer is not a deferred one waiting for its claims' },
  claims_already_approved: { kind: 'conflict', meaning: "The deferred offer's claims were approved already" },
  grant_option_invalid: { kind: 'invalid', meaning: "The offer's grant options do not fit together" },
  batch_not_found: { kind: 'not_found', meaning: 'No such batch in this tenant' },
  batch_empty: { kind: 'invalid', meaning: 'The batch has no rows' },
  batch_too_large: { kind: 'too_large', meaning: 'The batch has more rows or bytes than a batch may' },
  invalid_csv: { kind: 'invalid', meaning: 'The CSV body cannot be read' },
  row_key_not_found: { kind: 'not_found', meaning: 'No such batch row key in this tenant' },
  credential_status_not_found: { kind: 'not_found', meaning: 'No revocable credential was issued on this offer' },
  credential_revoked: {
    kind: 'conflict',
    meaning: 'The credential is revoked: a revoked credential cannot change status',
  },
  suspension_not_supported: { kind: 'conflict', meaning: "The credential's configuration does not allow suspension" },
  // Verifier
  verifier_not_found: { kind: 'not_found', meaning: 'No such verifier in this tenant (or it is deleted)' },
  verifier_certificate_missing: {
    kind: 'invalid',
    meaning: 'An x509 client identifier for a verifier without a certificate',
  },
  client_id_not_in_certificate: {
    kind: 'invalid',
    meaning: "The verifier's certificate does not name the client identifier",
  },
  trusted_issuer_not_found: { kind: 'not_found', meaning: 'No such trusted issuer in this tenant' },
  trust_anchor_not_found: { kind: 'not_found', meaning: 'No such trust anchor in this tenant' },
  template_not_found: { kind: 'not_found', meaning: 'No such presentation template in this tenant' },
  presentation_request_not_found: { kind: 'not_found', meaning: 'No such presentation request in this tenant' },
  presentation_request_not_cancellable: {
    kind: 'conflict',
    meaning: 'Only an open request can be cancelled; `details.status` is its status',
  },
  response_encryption_unsupported: { kind: 'invalid', meaning: 'The KMS cannot decrypt responses for this request' },
  redirect_uris_not_found: { kind: 'not_found', meaning: 'The verifier has no redirect URIs' },
  redirect_uri_not_configured: {
    kind: 'invalid',
    meaning: 'A same-device presentation request for a verifier without redirect URIs',
  },
  redirect_uri_not_allowed: {
    kind: 'invalid',
    meaning: 'A same-device presentation request naming a page not among the verifier’s redirect URIs',
  },
  response_code_required: {
    kind: 'forbidden',
    meaning: "A same-device request's result read without its response code",
  },
  response_code_invalid: { kind: 'forbidden', meaning: 'The response code is not the request’s own' },
  response_code_used: { kind: 'forbidden', meaning: 'The response code was used already' },
  response_code_expired: { kind: 'forbidden', meaning: 'The response code is older than 10 minutes' },
  response_code_not_applicable: {
    kind: 'conflict',
    meaning: 'A response code for a cross-device request (its result is read with `GET`)',
  },
} as const satisfies Record<string, ErrorCatalogEntry>

/** A stable error code of the REST answers. */
export type ErrorCode = keyof typeof ERROR_CATALOG
