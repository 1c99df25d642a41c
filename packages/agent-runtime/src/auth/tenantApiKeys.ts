import { DomainError } from '@attesto/protocol-kit'
import { updateWithLock } from '../records/storage.js'
import { type TenantApiKey, TenantRecord } from '../tenancy/TenantRecord.js'
import type { TenantsApi } from '../tenancy/TenantsApi.js'

/** An API key as listed: never its secret, never its hash. */
export interface ApiKeyView {
  id: string
  name: string | null
  /** `atk.<tenant>.<first 6 characters of the secret>`; null for a key made before prefixes were kept. */
  prefix: string | null
  createdAt: string | null
  expiresAt: string | null
}

export const keyIdOfHash = (hash: string) => hash.slice(0, 16)

/** The tenant's live keys, oldest first (keys made before names and prefixes existed show their id only). */
export function listApiKeys(tenant: TenantRecord): ApiKeyView[] {
  const entries = new Map((tenant.apiKeys ?? []).map((key) => [key.hash, key]))
  return tenant.apiKeyHashes.map((hash) => {
    const key: Partial<TenantApiKey> = entries.get(hash) ?? {}
    return {
      id: keyIdOfHash(hash),
      name: key.name ?? null,
      prefix: key.prefix ?? null,
      createdAt: key.createdAt ?? null,
      expiresAt: key.expiresAt ?? null,
    }
  })
}

/**
 * Revokes one of the tenant's keys under the tenant record's row lock: its hash leaves the
 * accepted list and joins the revoked list (so no stale copy of the record brings it back). The
 * last remaining key cannot be revoked (409 `last_api_key`): create its successor first.
 */
export async function revokeApiKey(tenants: TenantsApi, tenantId: string, keyId: string): Promise<void> {
  // Decided under the lock, thrown after it (an error thrown inside would surface as a storage failure).
  let refusal: DomainError | undefined
  await updateWithLock(tenants.rootAgentContext, TenantRecord, tenantId, (stored) => {
    const hash = stored.apiKeyHashes.find((candidate) => keyIdOfHash(candidate) === keyId)
    if (!hash) {
      refusal = new DomainError('api_key_not_found', `No API key '${keyId}' in this tenant`)
    } else if (stored.apiKeyHashes.length === 1) {
      refusal = new DomainError('last_api_key', "This is the tenant's last API key: create another one, then revoke it")
    } else {
      stored.apiKeyHashes = stored.apiKeyHashes.filter((candidate) => candidate !== hash)
      stored.apiKeys = (stored.apiKeys ?? []).filter((key) => key.hash !== hash)
      stored.revokedApiKeyHashes = [...(stored.revokedApiKeyHashes ?? []), hash]
    }
    return stored
  })
  if (refusal) throw refusal
}
