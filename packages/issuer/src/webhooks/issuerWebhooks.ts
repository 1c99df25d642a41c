/**
 * The issuer's webhook events: `offer.accepted` when the wallet has redeemed the offer's code for
 * a token, `credential.issued` when the credential is out (with `credentialCount`: a batch is one
 * event), `credential.accepted`, `credential.failed` and `credential.deleted` when the wallet
 * says so at the notification endpoint (with its `eventDescription`, when given; once per offer
 * and event) (all from the OID4VCI endpoints), `batch.finished` from the batch workers,
 * `credential.status_changed` for every status change (revoked, suspended, valid again), from the
 * API or a bulk job. Payloads carry ids, not claims: the receiver reads details through the API
 * with its key. Each is made in one place, issuerEvents.ts.
 */
export const ISSUER_WEBHOOK_EVENTS = [
  'offer.accepted',
  'credential.issued',
  'credential.accepted',
  'credential.failed',
  'credential.deleted',
  'batch.finished',
  'credential.status_changed',
]
