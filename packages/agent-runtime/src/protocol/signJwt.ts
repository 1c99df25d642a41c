import { encodeJwsPart } from '@attesto/protocol-kit/jose'
import type { AgentContext } from '@credo-ts/core'
import { contextKms } from './contextKms.js'

export interface SignJwtOptions {
  /** The key in the tenant's KMS. */
  keyId: string
  alg: 'ES256' | 'ES384' | 'EdDSA'
  header: Record<string, unknown>
  payload: Record<string, unknown>
}

/** A compact JWS signed by a key of the context's KMS (the key never leaves the KMS). */
export async function signJwt(agentContext: AgentContext, options: SignJwtOptions): Promise<string> {
  const signingInput = `${encodeJwsPart({ ...options.header, alg: options.alg })}.${encodeJwsPart(options.payload)}`
  const { signature } = await contextKms(agentContext).sign({
    keyId: options.keyId,
    algorithm: options.alg,
    data: Buffer.from(signingInput),
  })
  return `${signingInput}.${Buffer.from(signature).toString('base64url')}`
}
