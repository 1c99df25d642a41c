import type { JsonWebKey } from 'node:crypto'
import { TenantDocumentStore } from '@attesto/agent-runtime'

/**
 * A wallet provider the tenant trusts to attest its wallets (attestation-based client
 * authentication): a CA certificate its attestations' `x5c` chains lead to, or the public JWK its
 * attestations are signed with.
 */
export interface WalletProvider {
  providerId: string
  label?: string
  /** An X.509 trust anchor, base64 DER. */
  certificate?: string
  subject?: string
  notAfter?: string
  /** SHA-256 of the DER certificate, base64url. */
  sha256?: string
  /** A public signing key (EC P-256/P-384 or Ed25519). */
  jwk?: JsonWebKey
  /** RFC 7638 thumbprint of `jwk`. */
  jkt?: string
}

export const walletProviders = new TenantDocumentStore<WalletProvider>(
  'wallet-provider',
  'wallet_provider_not_found',
  'wallet provider',
)
