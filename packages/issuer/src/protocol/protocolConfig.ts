import { configSection, type Environment, readSection, variable } from '@attesto/agent-runtime'
import { z } from 'zod'

const positive = (fallback: number) => z.coerce.number().int().positive().default(fallback)

/** The OID4VCI endpoints' limits ([docs/SECURITY.md](docs/SECURITY.md#limits-in-force)). */
const PROTOCOL_VARIABLES = {
  TX_CODE_MAX_ATTEMPTS: variable(positive(5), {
    description: 'wrong transaction codes an offer tolerates over all instances; the next voids it',
  }),
  C_NONCE_TTL_SECONDS: variable(positive(300), { description: 'lifetime of a `c_nonce`' }),
  PROOF_MAX_CLOCK_SKEW_SECONDS: variable(positive(120), {
    description:
      "how far a proof's `iat` may lie from the clock, also the skew allowed on a key attestation's `iat` and `exp` ([docs/SECURITY.md](docs/SECURITY.md#limits-in-force))",
  }),
  SENDER_PROOF_MAX_AGE_SECONDS: variable(positive(60), {
    description:
      "how far a DPoP proof's or wallet attestation PoP's `iat` may lie from the clock; their `jti` is remembered twice as long (in Redis with `REDIS_URL`, else in the process) ([docs/AUTHORIZATION.md](docs/AUTHORIZATION.md))",
  }),
  SERVER_NONCE_WINDOW_SECONDS: variable(positive(300), {
    description:
      'DPoP nonces and attestation challenges change every window and stay good for the next ([docs/SECURITY.md](docs/SECURITY.md#proof-replay-and-server-nonces))',
  }),
  ISSUER_METADATA_CACHE_SECONDS: variable(z.coerce.number().int().min(0).default(10), {
    description:
      "how long an instance reuses an issuer's profile and metadata, `authorization_servers` and the external server's configuration included: a change made through another instance is seen within it ([docs/PROTOCOL-PATH.md](docs/PROTOCOL-PATH.md))",
  }),
  TOKEN_SIGNING_SECRET: variable(
    z
      .string()
      .refine((value) => Buffer.from(value, 'base64').length >= 32, 'base64 of at least 32 random bytes')
      .optional(),
    {
      description:
        "base64 of at least 32 random bytes, the same on every instance; access tokens, refresh tokens and nonces become HS256 under a per-issuer key derived from it, so an issuance makes one KMS signature (the credential's) instead of four: set it with a remote KMS",
      defaultText: 'local KMS: derived from its master key; vault/aws/pkcs11: none, tokens signed in the KMS',
      secret: true,
    },
  ),
}

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

export const PROTOCOL_SECTION = configSection({
  variables: PROTOCOL_VARIABLES,
  from: (e): IssuerProtocolConfig => ({
    txCodeMaxAttempts: e.TX_CODE_MAX_ATTEMPTS,
    cNonceTtlSeconds: e.C_NONCE_TTL_SECONDS,
    proofMaxClockSkewSeconds: e.PROOF_MAX_CLOCK_SKEW_SECONDS,
    issuerMetadataCacheSeconds: e.ISSUER_METADATA_CACHE_SECONDS,
    senderProofMaxAgeSeconds: e.SENDER_PROOF_MAX_AGE_SECONDS,
    serverNonceWindowSeconds: e.SERVER_NONCE_WINDOW_SECONDS,
    ...(e.TOKEN_SIGNING_SECRET ? { tokenSigningSecret: Buffer.from(e.TOKEN_SIGNING_SECRET, 'base64') } : {}),
  }),
})

/** The OID4VCI limits of `env` alone (`{}`: the defaults; `TOKEN_SIGNING_SECRET` may come from a file). */
export function loadIssuerProtocolConfig(env: Environment): IssuerProtocolConfig {
  return readSection(PROTOCOL_SECTION, env)
}
