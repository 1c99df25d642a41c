export { createKmsBackend } from './agent/createKmsBackend.js'
export {
  createRuntimeAgent,
  type ReadinessReturn,
  type RuntimeAgent,
  type RuntimeAgentOptions,
} from './agent/createRuntimeAgent.js'
export { issueTenantApiKey, requireAdmin, requireTenant, type TenantRequestLocals } from './auth/apiKeys.js'
export { resolveSecretFiles, SECRET_FILE_VARIABLES } from './config/resolveSecretFiles.js'
export {
  describeConfig,
  loadRuntimeConfig,
  parseEnvironment,
  RUNTIME_ENVIRONMENT_VARIABLES,
  type RuntimeConfig,
  RuntimeConfigError,
  type RuntimeEnvironment,
  type WebhookConfig,
} from './config/runtimeConfig.js'
export * from './http/edge/index.js'
export { errorHandler, errorResponse } from './http/errorHandler.js'
export { HttpError } from './http/HttpError.js'
export { healthRoutes } from './http/healthRoutes.js'
export { LargeBodyGate, type LargeBodyGateOptions } from './http/LargeBodyGate.js'
export { type MountRestApiOptions, mountRestApi } from './http/mountRestApi.js'
export { type OpenApiDocumentOptions, openApi, openApiDocument } from './http/openApiDocument.js'
export { type HttpServer, type StartHttpServerOptions, startHttpServer } from './http/startHttpServer.js'
export { tenantRoutes } from './http/tenantRoutes.js'
export {
  findUnsafeInput,
  isSafeString,
  MAX_INPUT_DEPTH,
  rejectUnsafeInput,
  type UnsafeInput,
  unsafeInputGuard,
} from './http/unsafeInput.js'
export { IdempotencyRecord } from './idempotency/IdempotencyRecord.js'
export { type IdempotentResult, withIdempotency } from './idempotency/withIdempotency.js'
export { JsonLogger, logLevelFromName } from './logging/JsonLogger.js'
export { LogSampler } from './logging/LogSampler.js'
export * from './protocol/index.js'
export { producerQueue, queueUnavailable, retryingJob, workerConnection } from './queues/queues.js'
export { storageServiceOf, updateWithLock } from './records/storage.js'
export { TenantDocumentStore } from './records/TenantDocumentStore.js'
export { runMigration } from './runMigration.js'
export { runService } from './runService.js'
export { TenantAgentContextProvider, tenantIdOfContext } from './tenancy/TenantAgentContextProvider.js'
export { TenantRecord, type TenantRecordProps } from './tenancy/TenantRecord.js'
export { TenantRepository } from './tenancy/TenantRepository.js'
export { TenantsApi } from './tenancy/TenantsApi.js'
export { TenantsModule } from './tenancy/TenantsModule.js'
export { WebhookService } from './webhooks/WebhookService.js'
export type { DeadLetter, WebhookEvent, WebhookRegistration } from './webhooks/webhookDocuments.js'
export { SIGNATURE_HEADER, signWebhook, verifyWebhookSignature } from './webhooks/webhookSignature.js'
