import { type AgentContext, Kms } from '@credo-ts/core'

/** The KMS operations the protocol endpoints make per request, bound to one agent context. */
export interface ContextKms {
  sign(options: Kms.KmsSignOptions): Promise<Kms.KmsSignReturn>
  decrypt(options: Kms.KmsDecryptOptions): Promise<Kms.KmsDecryptReturn>
}

/**
 * The KMS backend that holds the context's keys. With one backend configured (as the services
 * are) it is called directly: Credo's `KeyManagementApi` would re-validate every option with zod
 * and ask each backend whether it has the key, per operation.
 */
function bind(agentContext: AgentContext): ContextKms {
  const config = agentContext.dependencyManager.resolve(Kms.KeyManagementModuleConfig)
  if (config.backends.length === 1) {
    const backend = config.defaultBackend
    return {
      sign: (options) => backend.sign(agentContext, options),
      decrypt: (options) => backend.decrypt(agentContext, options),
    }
  }
  const api = agentContext.dependencyManager.resolve(Kms.KeyManagementApi)
  return { sign: (options) => api.sign(options), decrypt: (options) => api.decrypt(options) }
}

const bound = new WeakMap<AgentContext, ContextKms>()

/** {@link ContextKms} of `agentContext`, made once per context. */
export function contextKms(agentContext: AgentContext): ContextKms {
  let kms = bound.get(agentContext)
  if (!kms) {
    kms = bind(agentContext)
    bound.set(agentContext, kms)
  }
  return kms
}
