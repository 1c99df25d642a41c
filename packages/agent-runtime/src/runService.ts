import type { Logger, ModulesMap } from '@credo-ts/core'
import type { RuntimeAgent } from './agent/createRuntimeAgent.js'
import { describeConfig, loadRuntimeConfig, type RuntimeConfig } from './config/runtimeConfig.js'
import { type HttpServer, startHttpServer } from './http/startHttpServer.js'
import { JsonLogger, logLevelFromName } from './logging/JsonLogger.js'
import { startMetricsListener } from './metrics/metricsEndpoint.js'
import { describeObservability, loadObservabilityConfig } from './metrics/observabilityConfig.js'

/** A command's configuration; on a bad one, the list of bad variables on stderr and exit 1. */
export function loadRuntimeConfigOrExit(
  role: 'issuer' | 'verifier',
  env: Record<string, string | undefined>,
): RuntimeConfig {
  try {
    const config = loadRuntimeConfig({ ...env, ROLE: role })
    loadObservabilityConfig(env) // validated here, so that a bad value exits with the others' message
    return config
  } catch (error) {
    console.error((error as Error).message)
    process.exit(1)
  }
}

/**
 * A service's `main`: reads and validates the configuration (exiting with the list of bad
 * variables if it is wrong), builds the role's app, listens, and shuts down gracefully on
 * SIGTERM (in-flight requests finish, then the agent and storage close).
 */
export async function runService<Modules extends ModulesMap>(
  role: 'issuer' | 'verifier',
  createApp: (config: RuntimeConfig, logger: Logger) => Promise<RuntimeAgent<Modules>>,
  env: Record<string, string | undefined> = process.env,
): Promise<HttpServer> {
  const config = loadRuntimeConfigOrExit(role, env)
  const logger = new JsonLogger(logLevelFromName(config.logLevel), role)
  logger.info('Starting', {
    ...describeConfig(config),
    observability: describeObservability(loadObservabilityConfig(env)),
  })
  const runtime = await createApp(config, logger).catch((error: Error) => {
    // One line an operator can act on (the cause's message too); the stack only at debug level.
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : ''
    logger.debug('Could not start', { error })
    console.error(`${role}: could not start: ${error.message}${cause}`)
    process.exit(1)
  })
  const { metrics, observability } = runtime
  const metricsListener =
    metrics && observability.metricsPort !== undefined
      ? await startMetricsListener(metrics, observability.metricsPort, observability.metricsHost)
      : undefined
  if (metricsListener) logger.info('Serving metrics', { port: observability.metricsPort })
  return startHttpServer(runtime.app, {
    port: config.port,
    host: config.edge.host,
    logger,
    shutdownTimeoutMillis: config.shutdownTimeoutMillis,
    onShutdown: async () => {
      await metricsListener?.close()
      await runtime.close()
    },
  })
}
