import { TenantDocumentStore } from '@attesto/agent-runtime'
import type { CredentialConfiguration, Display } from './credentialConfiguration.js'
import type { ExternalAuthorizationServer } from './ExternalAuthorizationServer.js'
import type { IssuerCertificate } from './IssuerCertificate.js'

/** `required`: every token request must carry it; `optional`: checked when it comes, not asked for. */
export type SenderConstraint = 'required' | 'optional'

/** What the API keeps about an issuer identity, next to Credo's own issuer record. */
export interface IssuerProfile {
  issuerId: string
  did: string
  didUrl: string
  keyId: string
  configurations: Record<string, CredentialConfiguration>
  /** The issuer's name and logo in wallets, per locale. */
  display?: Display
  /** The key's certificate chain from the tenant's CA: signed objects then carry `x5c`. */
  certificate?: IssuerCertificate
  /** Credentials one credential request may yield (batchIssuance.ts); absent: 1. */
  batchSize?: number
  /** Whether token requests must prove a DPoP key (senderConstraints.ts); absent: optional. */
  dpop?: SenderConstraint
  /** Whether token requests must carry a wallet attestation (senderConstraints.ts); absent: optional. */
  clientAttestation?: SenderConstraint
  /** An authorization server the tenant runs, whose access tokens the credential endpoint takes (docs/AUTHORIZATION.md). */
  authorizationServer?: ExternalAuthorizationServer
}

/** Issuer profiles of a tenant, by issuer id; another tenant's issuer is `issuer_not_found`. */
export const issuerProfiles = new TenantDocumentStore<IssuerProfile>('issuer-profile', 'issuer_not_found', 'issuer')
