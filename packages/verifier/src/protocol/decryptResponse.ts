import { contextKms } from '@attesto/agent-runtime'
import type { AgentContext, Kms } from '@credo-ts/core'
import { PresentationRefusal } from '../verification/rejectionReason.js'
import type { VerifierProfile } from '../verification/verifierDocuments.js'
import { RESPONSE_ENCRYPTIONS } from './requestObject.js'

const MAX_JWE_LENGTH = 512 * 1024

const COORDINATE = /^[A-Za-z0-9_-]{43}$/

/** The sender's ephemeral key: a public P-256 JWK (its point is checked by the key agreement). */
function p256PublicJwk(value: unknown): Kms.KmsJwkPublicEc {
  const jwk = value as Record<string, unknown> | null
  if (typeof jwk !== 'object' || jwk === null || jwk.kty !== 'EC' || jwk.crv !== 'P-256') {
    throw new Error('epk is not a P-256 key')
  }
  if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string' || !COORDINATE.test(jwk.x) || !COORDINATE.test(jwk.y)) {
    throw new Error('epk has no valid coordinates')
  }
  if ('d' in jwk) throw new Error('epk is a private key')
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }
}

function part(value: string | undefined): Buffer {
  if (value === undefined || !/^[A-Za-z0-9_-]*$/.test(value)) throw new Error('not base64url')
  return Buffer.from(value, 'base64url')
}

/**
 * Decrypts a `direct_post.jwt` response (compact JWE, ECDH-ES with the verifier's encryption key,
 * A128GCM or A256GCM) in the tenant's KMS and answers its parameters. The key is named by the
 * verifier's profile, never by the JWE header; it is the same for all of the verifier's requests,
 * so decrypting needs no storage read. Anything that does not decrypt to a JSON object is refused.
 */
export async function decryptResponse(
  tenantContext: AgentContext,
  profile: VerifierProfile,
  jwe: string,
): Promise<Record<string, unknown>> {
  const key = profile.encryptionKey
  if (!key) throw new PresentationRefusal('verification_failed', 'This verifier has no response-encryption key')
  try {
    if (jwe.length > MAX_JWE_LENGTH) throw new Error('too large')
    const [encodedHeader, encryptedKey, iv, ciphertext, tag, ...rest] = jwe.split('.')
    if (rest.length > 0 || encryptedKey !== '' || encodedHeader === undefined)
      throw new Error('not a compact ECDH-ES JWE')
    const header = JSON.parse(part(encodedHeader).toString('utf8')) as Record<string, unknown>
    if (header.alg !== 'ECDH-ES') throw new Error(`alg ${String(header.alg)}`)
    if (!RESPONSE_ENCRYPTIONS.includes(header.enc as never)) throw new Error(`enc ${String(header.enc)}`)
    if (header.kid !== undefined && header.kid !== key.keyId) throw new Error('encrypted to another key')
    const epk = p256PublicJwk(header.epk)
    const { data } = await contextKms(tenantContext).decrypt({
      encrypted: part(ciphertext),
      decryption: {
        algorithm: header.enc as 'A128GCM' | 'A256GCM',
        aad: Buffer.from(encodedHeader),
        iv: part(iv),
        tag: part(tag),
      },
      key: {
        keyAgreement: {
          algorithm: 'ECDH-ES',
          keyId: key.keyId,
          externalPublicJwk: epk,
          apu: typeof header.apu === 'string' ? part(header.apu) : undefined,
          apv: typeof header.apv === 'string' ? part(header.apv) : undefined,
        },
      },
    } as never)
    const payload = JSON.parse(Buffer.from(data).toString('utf8'))
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new Error('not an object')
    return payload
  } catch (error) {
    throw new PresentationRefusal('verification_failed', 'The encrypted response could not be decrypted', false, {
      cause: error,
    })
  }
}
