import { type AgentContext, Kms } from '@credo-ts/core'
import { encodeJwsPart } from './compactJws.js'

export interface SignJwtOptions {
  /** The key in the tenant's KMS. */
  keyId: string
  alg: 'ES256' | 'ES384' | 'EdDSA'
  header: Record<string, unknown>
  payload: Record<string, unknown>
}

/**
 * The KMS backend that holds the context's keys. With one backend configured (as the services
 * are) it is called directly: Credo's `KeyManagementApi` would re-validate every option with zod
 * and ask each backend whether it has the key, per signature.
 */
function signer(agentContext: AgentContext): (options: Kms.KmsSignOptions) => Promise<Kms.KmsSignReturn> {
  const config = agentContext.dependencyManager.resolve(Kms.KeyManagementModuleConfig)
  if (config.backends.length === 1) {
    const backend = config.defaultBackend
    return (options) => backend.sign(agentContext, options)
  }
  const api = agentContext.dependencyManager.resolve(Kms.KeyManagementApi)
  return (options) => api.sign(options)
}

const signers = new WeakMap<AgentContext, ReturnType<typeof signer>>()

/** A compact JWS signed by a key of the context's KMS (the key never leaves the KMS). */
export async function signJwt(agentContext: AgentContext, options: SignJwtOptions): Promise<string> {
  const signingInput = `${encodeJwsPart({ ...options.header, alg: options.alg })}.${encodeJwsPart(options.payload)}`
  let sign = signers.get(agentContext)
  if (!sign) {
    sign = signer(agentContext)
    signers.set(agentContext, sign)
  }
  const { signature } = await sign({ keyId: options.keyId, algorithm: options.alg, data: Buffer.from(signingInput) })
  return `${signingInput}.${Buffer.from(signature).toString('base64url')}`
}
