import { type AgentContext, Kms } from '@credo-ts/core'

export interface WrapKeyOptions {
  /** The secret to wrap: a private key's bytes (PKCS#8 DER, a raw scalar…), at most 4,096 bytes. */
  key: Uint8Array
  /**
   * What the key is for (`{ purpose: 'oid4vp-response-key', requestId }`): authenticated with the
   * wrapped key, never encrypted; unwrapping with any other context fails. Non-empty strings.
   */
  context: Record<string, string>
}

export interface WrapKeyReturn {
  /** The wrapped key, as the backend writes it (opaque; store it as it is). */
  wrappedKey: string
}

export interface UnwrapKeyOptions {
  wrappedKey: string
  /** The context the key was wrapped with. */
  context: Record<string, string>
}

export interface UnwrapKeyReturn {
  key: Uint8Array
}

/**
 * Key wrapping beside Credo's key management contract: a secret made outside the KMS (an
 * ephemeral key pair of one presentation request) is encrypted under a key that never leaves the
 * KMS, and only the KMS unwraps it again. Credo's `encrypt` does not fit remote KMSs, whose
 * encryption answers an opaque ciphertext (Vault's `vault:v1:…`, an AWS `CiphertextBlob`) rather
 * than the IV and tag Credo's contract returns, so this is the one operation the backends offer
 * besides it.
 *
 * Every backend binds a wrapped key to the agent context's tenant (a key of its own per tenant,
 * and the tenant in the authenticated data) and to `context`: a wrapped key copied into another
 * tenant or row does not unwrap. Unwrapping something that fails that check rejects with
 * {@link KeyUnwrapError}.
 */
export interface KeyWrapping {
  wrapKey(agentContext: AgentContext, options: WrapKeyOptions): Promise<WrapKeyReturn>
  unwrapKey(agentContext: AgentContext, options: UnwrapKeyOptions): Promise<UnwrapKeyReturn>
}

/**
 * A wrapped key that does not unwrap: altered, wrapped for another tenant or context, or under a
 * wrapping key this KMS does not have (deleted, or a master key no longer configured).
 */
export class KeyUnwrapError extends Kms.KeyManagementError {}

/** The largest secret a backend wraps (AWS KMS `Encrypt` takes at most 4,096 bytes). */
export const MAX_WRAPPED_KEY_BYTES = 4096

/** `backend` if it offers {@link KeyWrapping} (the metrics proxy passes the methods through), else null. */
export function keyWrappingOf(backend: unknown): KeyWrapping | null {
  const candidate = backend as Partial<KeyWrapping> | null
  return typeof candidate?.wrapKey === 'function' && typeof candidate.unwrapKey === 'function'
    ? (candidate as KeyWrapping)
    : null
}

/** Checks a wrapping request: a key of 1 to 4,096 bytes, a context of non-empty strings. */
export function assertWrappable(backend: string, key: Uint8Array, context: Record<string, string>): void {
  if (key.length === 0 || key.length > MAX_WRAPPED_KEY_BYTES) {
    throw new Kms.KeyManagementError(`${backend} backend wraps keys of 1 to ${MAX_WRAPPED_KEY_BYTES} bytes`)
  }
  assertContext(backend, context)
}

export function assertContext(backend: string, context: Record<string, string>): void {
  const entries = Object.entries(context)
  if (entries.some(([name, value]) => !name || typeof value !== 'string' || !value)) {
    throw new Kms.KeyManagementError(`${backend} backend: a wrapping context holds non-empty strings only`)
  }
}

/**
 * The authenticated data of a wrapped key (Vault, local): the tenant and the context, names
 * sorted, as JSON. The same tenant and context always give the same bytes.
 */
export function wrappingAad(agentContext: AgentContext, context: Record<string, string>): Buffer {
  const entries = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return Buffer.from(JSON.stringify(['attesto-key-wrapping:v1', agentContext.contextCorrelationId, entries]))
}
