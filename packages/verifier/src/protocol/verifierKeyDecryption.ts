import { contextKms } from '@attesto/agent-runtime'
import type { AgentContext, Kms } from '@credo-ts/core'
import type { VerifierProfile } from '../verification/verifierDocuments.js'
import type { CompactJwe } from './compactJwe.js'
import type { ResolvedVerifier, VerifierDirectory } from './VerifierDirectory.js'

/**
 * The response-encryption key of the verifier itself (one per verifier, in the tenant's KMS),
 * which versions before per-request keys listed in every request object of the verifier. Kept
 * so that a rolling upgrade does not break requests in flight: a response encrypted to it (its
 * `kid` is that key's id, or absent) is still decrypted by the KMS, as before; no request object
 * lists it any more, and no verifier gets one. To be removed once no instance runs a version
 * that lists it and its requests have expired (at most `MAX_REQUEST_LIFETIME_SECONDS`).
 *
 * Answers the key when `jwe` names it (or names none) and the verifier has one, else null.
 */
export async function verifierKeyOf(
  directory: VerifierDirectory,
  resolved: ResolvedVerifier,
  jwe: CompactJwe,
): Promise<VerifierProfile['encryptionKey'] | null> {
  let { profile } = resolved
  if (!profile.encryptionKey && jwe.kid !== undefined) {
    // An instance of an earlier version may have given this verifier its key since this one read the profile.
    directory.forget(profile.verifierId)
    profile = (await directory.resolve(profile.verifierId))?.profile ?? profile
  }
  const key = profile.encryptionKey
  return key && (jwe.kid === undefined || jwe.kid === key.keyId) ? key : null
}

/** Decrypts `jwe` in the tenant's KMS with the verifier's key (ECDH-ES there). */
export async function decryptWithVerifierKey(
  tenantContext: AgentContext,
  key: NonNullable<VerifierProfile['encryptionKey']>,
  jwe: CompactJwe,
): Promise<Uint8Array> {
  const { data } = await contextKms(tenantContext).decrypt({
    encrypted: jwe.ciphertext,
    decryption: { algorithm: jwe.enc, aad: Buffer.from(jwe.encodedHeader), iv: jwe.iv, tag: jwe.tag },
    key: {
      keyAgreement: {
        algorithm: 'ECDH-ES',
        keyId: key.keyId,
        externalPublicJwk: jwe.epk as Kms.KmsJwkPublicEc,
        apu: jwe.apu,
        apv: jwe.apv,
      },
    },
  } as never)
  return data
}
