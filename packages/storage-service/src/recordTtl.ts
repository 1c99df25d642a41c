/**
 * Default time to live, in seconds after a record's last write, for the record types that go
 * stale. A type not listed here is kept until Credo deletes it.
 *
 * - `OpenId4VcIssuanceSessionRecord`: one OID4VCI exchange (offer, token, credential). Seven
 *   days leaves room for an offer sent by e-mail to be accepted, and for support to inspect a
 *   finished session; the offer's own expiry is enforced by Credo, not by this TTL.
 * - `OpenId4VcVerificationSessionRecord`: one OID4VP exchange and its verified result. The
 *   relying party reads the result within minutes; seven days covers audits and retries.
 */
export const DEFAULT_TTL_SECONDS_BY_RECORD_TYPE: Readonly<Record<string, number>> = Object.freeze({
  OpenId4VcIssuanceSessionRecord: 7 * 24 * 60 * 60,
  OpenId4VcVerificationSessionRecord: 7 * 24 * 60 * 60,
})
