import { type AgentContext, Kms } from '@credo-ts/core'

/** Whether the tenant's KMS backend can decrypt `direct_post.jwt` responses (ECDH-ES with A128GCM). */
export function canDecryptResponses(tenantContext: AgentContext): boolean {
  return backendsCanDecryptResponses(
    tenantContext,
    tenantContext.dependencyManager.resolve(Kms.KeyManagementModuleConfig).backends,
  )
}

/** Whether one of `backends` can decrypt ECDH-ES + A128GCM. */
export function backendsCanDecryptResponses(agentContext: AgentContext, backends: Kms.KeyManagementService[]): boolean {
  const operation = {
    operation: 'decrypt',
    decryption: { algorithm: 'A128GCM' },
    keyAgreement: { algorithm: 'ECDH-ES' },
  } as unknown as Kms.KmsOperation
  return backends.some((backend) => backend.isOperationSupported(agentContext, operation))
}
