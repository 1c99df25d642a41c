import { jwkThumbprintInput } from '@attesto/protocol-kit'
import { type Agent, Kms } from '@credo-ts/core'
import { HolderWalletError } from '../errors/HolderWalletError.js'

/** What the app's wallet provider attests: the wallet instance key, for the issuer that asks. */
export interface WalletAttestationRequest {
  /**
   * The wallet instance key's public JWK, `kid` included. The attestation's `cnf.jwk` must be this
   * JWK as given (with its `kid`): the wallet signs each attestation PoP with this key of its KMS.
   */
  instanceKey: Record<string, unknown>
  /** The credential issuer the attestation is for. */
  credentialIssuer: string
}

/**
 * Supplies a wallet attestation (OAuth 2.0 Attestation-Based Client Authentication, the
 * `OAuth-Client-Attestation` JWT) that the app got from its wallet provider for the instance key.
 * Called once per issuance (PAR, token and refresh requests of it share the attestation); an app
 * caches attestations itself. The attestation's `sub` is the wallet's `client_id`.
 */
export type WalletAttestationHook = (request: WalletAttestationRequest) => Promise<string> | string

/** The KMS key id of the wallet instance key: one per wallet, made the first time it is asked for. */
const INSTANCE_KEY_ID = 'attesto-wallet-instance'

/** The wallet instance key's public JWK (with `kid`), made in the wallet's KMS the first time. */
export async function walletInstanceKey(agent: Agent): Promise<Record<string, unknown>> {
  const existing = await agent.kms.getPublicKey({ keyId: INSTANCE_KEY_ID }).catch((error: unknown) => {
    if (error instanceof Kms.KeyManagementKeyNotFoundError) return undefined
    throw error
  })
  const publicJwk =
    existing ?? (await agent.kms.createKey({ keyId: INSTANCE_KEY_ID, type: { kty: 'EC', crv: 'P-256' } })).publicJwk
  return { ...publicJwk, kid: INSTANCE_KEY_ID }
}

/** A compact JWT's payload, or undefined when it is none. */
function jwtPayloadOf(jwt: unknown): { sub?: unknown; cnf?: { jwk?: Record<string, unknown> } } | undefined {
  try {
    const payload = JSON.parse(Buffer.from(String(jwt).split('.')[1] ?? '', 'base64url').toString())
    return typeof payload === 'object' && payload !== null ? payload : undefined
  } catch {
    return undefined
  }
}

/** An attestation from the hook, checked before it is sent: a JWT bound (`cnf.jwk`) to the instance key. */
export interface CheckedAttestation {
  jwt: string
  /** The attestation's `sub`: the `client_id` the wallet uses with this issuer. */
  clientId: string
}

/** Calls the hook and checks what it gives (`wallet_attestation_failed` when it throws or gives no fitting JWT). */
export async function walletAttestationFor(
  agent: Agent,
  hook: WalletAttestationHook,
  credentialIssuer: string,
): Promise<CheckedAttestation> {
  const instanceKey = await walletInstanceKey(agent)
  let jwt: string
  try {
    jwt = await hook({ instanceKey, credentialIssuer })
  } catch (error) {
    throw new HolderWalletError('wallet_attestation_failed', 'The app could not supply a wallet attestation', {
      cause: error,
    })
  }
  const payload = jwtPayloadOf(jwt)
  const bound = payload?.cnf?.jwk
  if (!bound || jwkThumbprintInput(bound) !== jwkThumbprintInput(instanceKey) || bound.kid !== instanceKey.kid) {
    throw new HolderWalletError(
      'wallet_attestation_failed',
      "The wallet attestation is not bound to this wallet's instance key: its cnf.jwk must be the instance key as given, kid included",
    )
  }
  if (typeof payload?.sub !== 'string') {
    throw new HolderWalletError('wallet_attestation_failed', 'The wallet attestation has no sub (the client_id)')
  }
  return { jwt, clientId: payload.sub }
}
