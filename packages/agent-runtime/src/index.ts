export {
  type AgentServices,
  type AgentServicesOptions,
  createAgentServices,
} from './agent/createAgentServices.js'
export { createKmsBackend } from './agent/createKmsBackend.js'
export {
  createRuntimeAgent,
  type ReadinessReturn,
  type RuntimeAgent,
  type RuntimeAgentOptions,
} from './agent/createRuntimeAgent.js'
export { apiKeyRoutes, createApiKeyInput } from './auth/apiKeyRoutes.js'
export {
  createTenantApiKey,
  DEFAULT_TENANT_CACHE_MILLIS,
  type IssueTenantApiKeyOptions,
  issueTenantApiKey,
  requireAdmin,
  requireTenant,
  type TenantRequestLocals,
} from './auth/apiKeys.js'
export { type ApiKeyView, listApiKeys, revokeApiKey } from './auth/tenantApiKeys.js'
export {
  type ConfigProblem,
  type ConfigSection,
  type ConfigSections,
  configSection,
  type Environment,
  type EnvironmentValues,
  type EnvironmentVariable,
  readConfig,
  readSection,
  type SectionConfigs,
  type ServiceRole,
  variable,
  variablesOf,
} from './config/configSection.js'
export { environmentMarkdown, environmentRows, type VariableRow } from './config/environmentTable.js'
export {
  describeObservability,
  loadObservabilityConfig,
  OBSERVABILITY_SECTION,
  type ObservabilityConfig,
} from './config/observabilityConfig.js'
export { RuntimeConfigError } from './config/RuntimeConfigError.js'
export { resolveSecretFiles } from './config/resolveSecretFiles.js'
export {
  describeConfig,
  loadRuntimeConfig,
  RUNTIME_SECTION,
  type RuntimeConfig,
  type RuntimeEnvironment,
  SECRET_FILE_VARIABLES,
  type WebhookConfig,
} from './config/runtimeConfig.js'
export * from './edge/index.js'
export {
  findUnsafeInput,
  isSafeString,
  MAX_INPUT_DEPTH,
  rejectUnsafeInput,
  type UnsafeInput,
  unsafeInputGuard,
} from './edge/unsafeInput.js'
export { type Failure, failureOf, KIND_STATUS } from './errors/failureOf.js'
export { apiDocsRoutes } from './http/apiDocsRoutes.js'
export { createdTenantResponse, healthResponse, readinessResponse } from './http/apiResponses.js'
export { errorHandler, errorResponse } from './http/errorHandler.js'
export { healthRoutes } from './http/healthRoutes.js'
export { LargeBodyGate, type LargeBodyGateOptions } from './http/LargeBodyGate.js'
export { type MountRestApiOptions, mountRestApi } from './http/mountRestApi.js'
export {
  type OpenApiDocument,
  type OpenApiDocumentOptions,
  type OpenApiPaths,
  type OpenApiTag,
  openApiDocument,
} from './http/openApiDocument.js'
export { type HttpServer, type StartHttpServerOptions, startHttpServer } from './http/startHttpServer.js'
export { tenantRoutes } from './http/tenantRoutes.js'
export { IdempotencyRecord } from './idempotency/IdempotencyRecord.js'
export { type IdempotentResult, withIdempotency } from './idempotency/withIdempotency.js'
export { JsonLogger, logLevelFromName } from './logging/JsonLogger.js'
export { LogSampler } from './logging/LogSampler.js'
export { currentRequestId, REQUEST_ID_HEADER, requestIdOf } from './logging/requestContext.js'
export {
  instrumentKms,
  readCounter,
  watchDatabasePools,
  watchDidCache,
  watchQueues,
  watchWebhooks,
  watchWorker,
} from './metrics/collectors.js'
export { type MetricsListener, startMetricsListener } from './metrics/metricsEndpoint.js'
export { processRegistry } from './metrics/processMetrics.js'
export { RuntimeMetrics } from './metrics/RuntimeMetrics.js'
export { routeTemplateOf, UNMATCHED_ROUTE } from './metrics/requestObservability.js'
export { errorBody } from './openapi/errorBody.js'
export { mergeOpenApiPaths } from './openapi/mergeOpenApiPaths.js'
export { openApi } from './openapi/openApi.js'
export { pageAnswer } from './openapi/pageAnswer.js'
export { type DocumentListOptions, documentListHandler, documentPage } from './pagination/documentPages.js'
export {
  createdRange,
  createdRangeShape,
  DEFAULT_PAGE_LIMIT,
  decodeCursor,
  encodeCursor,
  MAX_PAGE_LIMIT,
  pageBody,
  pageQuery,
  pageQueryShape,
} from './pagination/pagination.js'
export * from './protocol/index.js'
export {
  fromQueueSettings,
  type JobDefinition,
  type JobWorkerSettings,
  jobOptions,
  type QueueSettings,
  RETRY_JITTER,
  type RetryPolicy,
} from './queues/JobDefinition.js'
export { type AddJobOptions, JobQueue } from './queues/JobQueue.js'
export { isLastAttempt, type JobHandlers, JobWorker, type JobWorkerOptions } from './queues/JobWorker.js'
export { QueueConnections } from './queues/QueueConnections.js'
export { queueCountsResponse } from './queues/queueRoutes.js'
export { queueUnavailable } from './queues/queues.js'
export { Deactivation, type DeactivationReturn } from './records/Deactivation.js'
export { storageServiceOf, updateWithLock } from './records/storage.js'
export { TenantDocumentStore } from './records/TenantDocumentStore.js'
export * from './routing/index.js'
export { runMigration } from './runMigration.js'
export { loadRuntimeConfigOrExit, loadServiceConfigOrExit, runService, type ServiceConfig } from './runService.js'
export { contextCorrelationIdOf, tenantIdOfContext } from './tenancy/contextCorrelationId.js'
export { TenantAgentContextProvider } from './tenancy/TenantAgentContextProvider.js'
export { type TenantApiKey, TenantRecord, type TenantRecordProps } from './tenancy/TenantRecord.js'
export { TenantRepository } from './tenancy/TenantRepository.js'
export { TenantsApi } from './tenancy/TenantsApi.js'
export { TenantsModule } from './tenancy/TenantsModule.js'
export { type GuardedAnswer, type GuardedFetchOptions, guardedFetch, guardedRequest } from './webhooks/guardedFetch.js'
export { WebhookService } from './webhooks/WebhookService.js'
export {
  type DeadLetter,
  deadLetters,
  undeliverable,
  type WebhookEvent,
  type WebhookRegistration,
  webhooks,
} from './webhooks/webhookDocuments.js'
export { type DeliveryJob, webhookDeliveryJobs, webhookQueueName } from './webhooks/webhookJobs.js'
export { undeliverableResponse } from './webhooks/webhookResponses.js'
export { SIGNATURE_HEADER, signWebhook, verifyWebhookSignature } from './webhooks/webhookSignature.js'
export { certificateSigningRequestResponse, keyCertificateResponse } from './x509/certificateOpenApi.js'
export {
  type CertifiableProfile,
  type CertificateOperations,
  type CertificateOperationsOptions,
  type CertificateRoutesOptions,
  certificateOperations,
  certificateRoutes,
} from './x509/certificateRoutes.js'
export {
  type CertificateSigningRequestInput,
  certificateSigningRequestInput,
  createCertificateSigningRequest,
  isIpAddressHost,
  type SubjectAlternativeNameDefaults,
} from './x509/certificateSigningRequest.js'
export { certificateChainInput, certificateView, certifyKey, type KeyCertificate } from './x509/KeyCertificate.js'
