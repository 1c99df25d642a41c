import { decryptEcdhEs, KmsUnavailableError } from '@attesto/kms-adapter'
import { PresentationRefusal } from '../verification/rejectionReason.js'
import { MAX_REQUEST_ID_LENGTH } from '../verification/VerificationSession.js'
import type { VerificationSessions } from '../verification/VerificationSessions.js'
import { type CompactJwe, parseCompactJwe, responseParametersOf } from './compactJwe.js'
import { unwrapResponseKey } from './responseKeys.js'
import type { ResolvedVerifier, VerifierDirectory } from './VerifierDirectory.js'
import { decryptWithVerifierKey, verifierKeyOf } from './verifierKeyDecryption.js'

export interface DecryptResponseOptions {
  sessions: VerificationSessions
  directory: VerifierDirectory
}

const undecryptable = (cause?: unknown) =>
  new PresentationRefusal('verification_failed', 'The encrypted response could not be decrypted', false, { cause })

/**
 * Decrypts a `direct_post.jwt` response (compact JWE, ECDH-ES on P-256, A128GCM or A256GCM) and
 * answers its parameters. The JWE's `kid` names the request whose key it was encrypted to (the
 * request id, OID4VP 1.0 §8.3): that request's row gives the wrapped private key, the tenant's
 * KMS unwraps it (one statement, one KMS call), and the JWE is decrypted here. The decrypted
 * `state` must be that request: a response encrypted to the key of another request is refused.
 * A JWE to the verifier's own key of earlier versions goes to {@link decryptWithVerifierKey}.
 * Anything that does not decrypt to a JSON object is refused with `verification_failed`, and
 * nothing is written: the header is not authenticated until the JWE decrypts.
 */
export async function decryptResponse(
  options: DecryptResponseOptions,
  resolved: ResolvedVerifier,
  response: string,
): Promise<Record<string, unknown>> {
  let jwe: CompactJwe
  try {
    jwe = parseCompactJwe(response)
  } catch (error) {
    throw undecryptable(error)
  }
  const { kid } = jwe
  const session =
    kid !== undefined && kid.length > 0 && kid.length <= MAX_REQUEST_ID_LENGTH
      ? await options.sessions.find(resolved.tenantContext.contextCorrelationId, kid)
      : null
  if (session?.responseKey && session.verifierId === resolved.profile.verifierId) {
    const privateKey = await unwrapResponseKey(resolved.tenantContext, kid as string, session.responseKey)
    const params = decrypted(() =>
      decryptEcdhEs({
        privateKey,
        senderPublicJwk: jwe.epk,
        enc: jwe.enc,
        apu: jwe.apu,
        apv: jwe.apv,
        iv: jwe.iv,
        tag: jwe.tag,
        aad: Buffer.from(jwe.encodedHeader),
        ciphertext: jwe.ciphertext,
      }),
    )
    if (params.state !== kid) {
      throw new PresentationRefusal(
        'verification_failed',
        "The response was encrypted to another request's key: encrypt each response to the key of the request it answers",
      )
    }
    return params
  }
  const verifierKey = await verifierKeyOf(options.directory, resolved, jwe)
  if (!verifierKey) throw undecryptable(new Error(`no request of this verifier has the key '${String(kid)}'`))
  let plaintext: Uint8Array
  try {
    plaintext = await decryptWithVerifierKey(resolved.tenantContext, verifierKey, jwe)
  } catch (error) {
    if (error instanceof KmsUnavailableError) throw error
    throw undecryptable(error)
  }
  return decrypted(() => plaintext)
}

/** The parameters of what `decrypt` gives, or the refusal when it throws or is no JSON object. */
function decrypted(decrypt: () => Uint8Array): Record<string, unknown> {
  try {
    return responseParametersOf(decrypt())
  } catch (error) {
    throw undecryptable(error)
  }
}
