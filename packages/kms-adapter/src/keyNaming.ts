import { createHash } from 'node:crypto'
import type { AgentContext } from '@credo-ts/core'

const SAFE = /^[A-Za-z0-9]{1,48}$/

/** A name part that is either the value itself (when plain) or a hash of it; never contains `-`. */
function token(value: string): string {
  return SAFE.test(value) ? value : `x_${createHash('sha256').update(value).digest('hex').slice(0, 40)}`
}

export interface KeyNamespace {
  /** The role that owns the keys: `issuer`, `verifier`, `holder`. */
  role: string
  /** Optional prefix shared by every key of this deployment (default `attesto`). */
  prefix?: string
}

/**
 * The backend's name for a Credo key id: `<prefix>-<role>-<tenant>-<keyId>`. The tenant is the
 * agent context's correlation id, so a key id asked for in one tenant maps to another name in
 * any other tenant: one tenant can never use, read or delete another's key. Parts that are not
 * plain alphanumerics are replaced by a hash, so names stay valid for Vault and AWS aliases and
 * distinct inputs never collide.
 */
export function backendKeyName(namespace: KeyNamespace, agentContext: AgentContext, keyId: string): string {
  return [namespace.prefix ?? 'attesto', namespace.role, agentContext.contextCorrelationId, keyId].map(token).join('-')
}

/**
 * The backend's name for the tenant's key-wrapping key: `<prefix>-<role>-<tenant>-_wrap`. The last
 * part is never a {@link backendKeyName} part (those are plain alphanumerics or `x_` and a hash),
 * so no Credo key id can map to it.
 */
export function wrappingKeyName(namespace: KeyNamespace, agentContext: AgentContext): string {
  return `${[namespace.prefix ?? 'attesto', namespace.role, agentContext.contextCorrelationId].map(token).join('-')}-_wrap`
}
