import { parseEnvironment, resolveSecretFiles } from '@attesto/agent-runtime'
import { z } from 'zod'

const positive = (fallback: number) => z.coerce.number().int().positive().default(fallback)

const schema = z.object({
  TX_CODE_MAX_ATTEMPTS: positive(5),
  C_NONCE_TTL_SECONDS: positive(300),
  PROOF_MAX_CLOCK_SKEW_SECONDS: positive(120),
  SENDER_PROOF_MAX_AGE_SECONDS: positive(60),
  SERVER_NONCE_WINDOW_SECONDS: positive(300),
  ISSUER_METADATA_CACHE_SECONDS: z.coerce.number().int().min(0).default(10),
  TOKEN_SIGNING_SECRET: z
    .string()
    .refine((value) => Buffer.from(value, 'base64').length >= 32, 'base64 of at least 32 random bytes')
    .optional(),
})

/** The variables this module reads (checked against the deployment manifests). */
export const ISSUER_PROTOCOL_ENVIRONMENT_VARIABLES: readonly string[] = Object.keys(schema.shape)

/** The OID4VCI endpoints' limits (docs/PROTOCOL-PATH.md); every value has a default. */
export interface IssuerProtocolConfig {
  /** Wrong transaction codes an offer tolerates; the next makes its code invalid for good. */
  txCodeMaxAttempts: number
  cNonceTtlSeconds: number
  /** How far a proof's `iat` may lie from this instance's clock, either way. */
  proofMaxClockSkewSeconds: number
  /**
   * How far a DPoP proof's or wallet attestation PoP's `iat` may lie from this instance's clock,
   * either way; their `jti` is remembered for twice as long.
   */
  senderProofMaxAgeSeconds: number
  /** DPoP nonces and attestation challenges change every window and stay good for the next one. */
  serverNonceWindowSeconds: number
  /** How long an instance reuses an issuer's profile and metadata before reading them again. */
  issuerMetadataCacheSeconds: number
  /**
   * Shared by every instance of the issuer: access tokens, refresh tokens and nonces are HS256
   * under a key derived from it per issuer, instead of KMS signatures. Without it they are signed
   * by the issuer's key in the KMS (one KMS call each: 3 of the 4 signatures of an issuance).
   */
  tokenSigningSecret?: Buffer
}

/**
 * The secrets of the issuers' HS256 tokens and nonces: `TOKEN_SIGNING_SECRET` when set; otherwise,
 * with the local KMS, secrets derived from its master keys (the same on every instance that shares
 * them, current first, then one per previous master key); none with a remote KMS, whose tokens are
 * then signed by the issuer's key in the KMS.
 */
export function tokenSecretsOf(config: IssuerProtocolConfig, kms: object): Buffer[] {
  if (config.tokenSigningSecret) return [config.tokenSigningSecret]
  const local = kms as { derivedSecrets?: (purpose: string) => Buffer[] }
  return local.derivedSecrets?.('attesto-issuer-token-signing') ?? []
}

export function loadIssuerProtocolConfig(env: Record<string, string | undefined> = process.env): IssuerProtocolConfig {
  const e = parseEnvironment(schema, resolveSecretFiles(env))
  return {
    txCodeMaxAttempts: e.TX_CODE_MAX_ATTEMPTS,
    cNonceTtlSeconds: e.C_NONCE_TTL_SECONDS,
    proofMaxClockSkewSeconds: e.PROOF_MAX_CLOCK_SKEW_SECONDS,
    issuerMetadataCacheSeconds: e.ISSUER_METADATA_CACHE_SECONDS,
    senderProofMaxAgeSeconds: e.SENDER_PROOF_MAX_AGE_SECONDS,
    serverNonceWindowSeconds: e.SERVER_NONCE_WINDOW_SECONDS,
    ...(e.TOKEN_SIGNING_SECRET ? { tokenSigningSecret: Buffer.from(e.TOKEN_SIGNING_SECRET, 'base64') } : {}),
  }
}
