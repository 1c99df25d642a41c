import { type KeyWrapping, keyWrappingOf } from '@attesto/kms-adapter'
import { type AgentContext, Kms } from '@credo-ts/core'

/** The KMS operations the protocol endpoints make per request, bound to one agent context. */
export interface ContextKms {
  sign(options: Kms.KmsSignOptions): Promise<Kms.KmsSignReturn>
  decrypt(options: Kms.KmsDecryptOptions): Promise<Kms.KmsDecryptReturn>
  /** Key wrapping (`@attesto/kms-adapter`'s KeyWrapping), or null when no backend offers it. */
  wrapping: {
    wrapKey(options: Parameters<KeyWrapping['wrapKey']>[1]): ReturnType<KeyWrapping['wrapKey']>
    unwrapKey(options: Parameters<KeyWrapping['unwrapKey']>[1]): ReturnType<KeyWrapping['unwrapKey']>
  } | null
}

/**
 * The KMS backend that holds the context's keys. With one backend configured (as the services
 * are) it is called directly: Credo's `KeyManagementApi` would re-validate every option with zod
 * and ask each backend whether it has the key, per operation.
 */
function bind(agentContext: AgentContext): ContextKms {
  const config = agentContext.dependencyManager.resolve(Kms.KeyManagementModuleConfig)
  // Wrapping is not Credo's: the default backend's if it offers it, else the first that does.
  const wrapper = keyWrappingOf(config.defaultBackend) ?? config.backends.map(keyWrappingOf).find(Boolean) ?? null
  const wrapping = wrapper && {
    wrapKey: (options: Parameters<KeyWrapping['wrapKey']>[1]) => wrapper.wrapKey(agentContext, options),
    unwrapKey: (options: Parameters<KeyWrapping['unwrapKey']>[1]) => wrapper.unwrapKey(agentContext, options),
  }
  if (config.backends.length === 1) {
    const backend = config.defaultBackend
    return {
      sign: (options) => backend.sign(agentContext, options),
      decrypt: (options) => backend.decrypt(agentContext, options),
      wrapping,
    }
  }
  const api = agentContext.dependencyManager.resolve(Kms.KeyManagementApi)
  return { sign: (options) => api.sign(options), decrypt: (options) => api.decrypt(options), wrapping }
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
