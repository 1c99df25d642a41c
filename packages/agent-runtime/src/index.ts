export { createKmsBackend } from './agent/createKmsBackend.js'
export {
  createRuntimeAgent,
  type ReadinessReturn,
  type RuntimeAgent,
} from './agent/createRuntimeAgent.js'
export {
  describeConfig,
  loadRuntimeConfig,
  type RuntimeConfig,
  RuntimeConfigError,
  type RuntimeEnvironment,
} from './config/runtimeConfig.js'
export { errorHandler, errorResponse } from './http/errorHandler.js'
export { HttpError } from './http/HttpError.js'
export { healthRoutes } from './http/healthRoutes.js'
export { type HttpServer, type StartHttpServerOptions, startHttpServer } from './http/startHttpServer.js'
export { JsonLogger, logLevelFromName } from './logging/JsonLogger.js'
