import type { KeyObject } from 'node:crypto'
import { publicKeyFromJwk, publicKeyFromSelfDescribingDid } from '@attesto/protocol-kit/jose'
import { type AgentContext, DidResolverService, getPublicJwkFromVerificationMethod } from '@credo-ts/core'
import { PresentationRefusal } from './rejectionReason.js'

/** The DID URL of the key that signed a credential: the header's `kid`, relative to `iss` or absolute. */
export function issuerKeyUrl(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const iss = payload.iss
  const kid = header.kid
  if (typeof iss !== 'string' || !iss.startsWith('did:')) {
    throw new PresentationRefusal('verification_failed', 'The credential has no DID issuer (iss)')
  }
  if (typeof kid !== 'string') return iss
  if (kid.startsWith('#')) return `${iss}${kid}`
  if (kid.split('#')[0] !== iss)
    throw new PresentationRefusal('invalid_signature', "The signing key is not the issuer's")
  return kid
}

/**
 * The issuer's public key: read from the DID itself for `did:jwk` and `did:key` (cached key
 * objects), resolved through Credo's DID resolver for other methods (its cache is the in-process
 * LRU in front of Redis).
 */
export async function issuerPublicKey(agentContext: AgentContext, keyUrl: string): Promise<KeyObject> {
  try {
    const direct = publicKeyFromSelfDescribingDid(keyUrl)
    if (direct) return direct
    const did = keyUrl.split('#')[0] as string
    const document = await agentContext.dependencyManager
      .resolve(DidResolverService)
      .resolveDidDocument(agentContext, did)
    const method = document.dereferenceKey(keyUrl.includes('#') ? keyUrl : (document.assertionMethod?.[0] as string), [
      'assertionMethod',
    ])
    return publicKeyFromJwk(getPublicJwkFromVerificationMethod(method).toJson() as never)
  } catch (error) {
    throw new PresentationRefusal('invalid_signature', "The issuer's key could not be found", false, { cause: error })
  }
}
