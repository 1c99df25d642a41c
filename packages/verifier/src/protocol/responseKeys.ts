import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { contextKms } from '@attesto/agent-runtime'
import type { AgentContext } from '@credo-ts/core'
import type { ResponseKey } from '../verification/VerificationSession.js'

/** What a response key is wrapped for: the KMS refuses to unwrap it for anything else. */
function wrappingContext(requestId: string) {
  return { purpose: 'oid4vp-response-key', requestId }
}

function wrapping(tenantContext: AgentContext) {
  const found = contextKms(tenantContext).wrapping
  if (!found) throw new Error("The tenant's KMS backend cannot wrap keys")
  return found
}

/** Whether the tenant's KMS can wrap response keys (every backend of `@attesto/kms-adapter` can). */
export function canWrapResponseKeys(tenantContext: AgentContext): boolean {
  return contextKms(tenantContext).wrapping !== null
}

/**
 * A fresh P-256 key pair for one request's encrypted response (HAIP 1.0 §5), made in this process:
 * its public JWK, with the request id as `kid` (OID4VP 1.0 §8.3: the wallet names it in the JWE
 * header, so the response endpoint finds the request, and the key, from the header), and its
 * private key wrapped by the tenant's KMS for this request. One KMS call; the private key is
 * never stored or logged unwrapped.
 */
export async function createResponseKey(tenantContext: AgentContext, requestId: string): Promise<ResponseKey> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const { x, y, d } = privateKey.export({ format: 'jwk' }) as { x: string; y: string; d: string }
  const { wrappedKey } = await wrapping(tenantContext).wrapKey({
    key: Buffer.from(JSON.stringify({ kty: 'EC', crv: 'P-256', x, y, d })),
    context: wrappingContext(requestId),
  })
  return { publicJwk: { kty: 'EC', crv: 'P-256', x, y, kid: requestId }, wrappedPrivateKey: wrappedKey }
}

/**
 * The private key of `requestId`'s response key, unwrapped by the tenant's KMS (one KMS call). It
 * is kept as a JWK: node imports one about six times faster than PKCS#8 DER.
 */
export async function unwrapResponseKey(
  tenantContext: AgentContext,
  requestId: string,
  responseKey: ResponseKey,
): Promise<KeyObject> {
  const { key } = await wrapping(tenantContext).unwrapKey({
    wrappedKey: responseKey.wrappedPrivateKey,
    context: wrappingContext(requestId),
  })
  const jwk = JSON.parse(Buffer.from(key).toString('utf8')) as Record<string, unknown>
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') {
    throw new Error(`The response key of request ${requestId} did not unwrap to a P-256 private key`)
  }
  return createPrivateKey({ format: 'jwk', key: jwk as import('node:crypto').JsonWebKey })
}
