import type { OpenStorageReturn } from '@attesto/storage-service'
import { AgentContext, type DependencyManager, type Kms } from '@credo-ts/core'

export interface ReadinessReturn {
  ready: boolean
  checks: Record<string, { ok: boolean; error?: string }>
}

/** `/ready`: storage answers a query, and the KMS answers a public-key read. */
export function readinessCheck(
  dependencyManager: DependencyManager,
  storage: OpenStorageReturn,
  kms: Kms.KeyManagementService,
): () => Promise<ReadinessReturn> {
  const probeContext = new AgentContext({ dependencyManager, contextCorrelationId: 'readiness' })
  const check = async (probe: () => Promise<unknown>) => {
    try {
      await probe()
      return { ok: true }
    } catch (error) {
      return { ok: false, error: (error as Error).message }
    }
  }
  return async () => {
    const checks = {
      storage: await check(() => storage.database.query('SELECT 1')),
      kms: await check(() => kms.getPublicKey(probeContext, 'readiness-probe')),
    }
    return { ready: Object.values(checks).every((c) => c.ok), checks }
  }
}
