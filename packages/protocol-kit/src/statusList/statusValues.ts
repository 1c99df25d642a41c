/** A credential's status, as the issuer sets it and wallets and verifiers read it. */
export type CredentialStatusValue = 'valid' | 'revoked' | 'suspended'

/**
 * The value of each status in a Token Status List (draft-ietf-oauth-status-list §7.1):
 * `VALID` 0x00, `INVALID` 0x01 (revoked), `SUSPENDED` 0x02. Other values are unknown here.
 */
export const STATUS_VALUES: Readonly<Record<CredentialStatusValue, number>> = Object.freeze({
  valid: 0,
  revoked: 1,
  suspended: 2,
})

const BY_VALUE: readonly CredentialStatusValue[] = ['valid', 'revoked', 'suspended']

/** The status a list entry's value means, or undefined for a value this mapping does not know. */
export function statusOfValue(value: number): CredentialStatusValue | undefined {
  return Number.isInteger(value) ? BY_VALUE[value] : undefined
}
