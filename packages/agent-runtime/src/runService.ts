import type { Logger, ModulesMap } from '@credo-ts/core'
import type { RuntimeAgent } from './agent/createRuntimeAgent.js'
import { type ConfigSections, type Environment, readConfig, type SectionConfigs } from './config/configSection.js'
import { describeObservability } from './config/observabilityConfig.js'
import { describeConfig, RUNTIME_SECTION, type RuntimeConfig } from './config/runtimeConfig.js'
import { type HttpServer, startHttpServer } from './http/startHttpServer.js'
import { JsonLogger, logLevelFromName } from './logging/JsonLogger.js'
import { startMetricsListener } from './metrics/metricsEndpoint.js'

/** A service's whole configuration: the runtime's and the role's own sections. */
export type ServiceConfig<Sections extends ConfigSections> = SectionConfigs<Sections> & { runtime: RuntimeConfig }

/**
 * A command's whole configuration (the runtime's and the role's `sections`), read from `env`
 * once; on a bad one, the list of every bad variable on stderr and exit 1.
 */
export function loadServiceConfigOrExit<Sections extends ConfigSections = Record<never, never>>(
  role: 'issuer' | 'verifier',
  env: Environment,
  sections?: Sections,
): ServiceConfig<Sections> {
  try {
    return readConfig({ runtime: RUNTIME_SECTION, ...sections }, { ...env, ROLE: role }) as ServiceConfig<Sections>
  } catch (error) {
    console.error((error as Error).message)
    process.exit(1)
  }
}

/** The runtime's configuration of a command; on a bad one, the bad variables on stderr and exit 1. */
export function loadRuntimeConfigOrExit(role: 'issuer' | 'verifier', env: Environment): RuntimeConfig {
  return loadServiceConfigOrExit(role, env).runtime
}

/**
 * A service's `main`: reads and validates its whole configuration once, from the process
 * environment (exiting with the list of bad variables if it is wrong), builds the role's app, listens, and shuts down gracefully on
 * SIGTERM (in-flight requests finish, then the agent and storage close).
 */
export async function runService<Modules extends ModulesMap, Sections extends ConfigSections = Record<never, never>>(
  role: 'issuer' | 'verifier',
  createApp: (
    config: RuntimeConfig,
    logger: Logger,
    sections: ServiceConfig<Sections>,
  ) => Promise<RuntimeAgent<Modules>>,
  options: { env?: Environment; sections?: Sections } = {},
): Promise<HttpServer> {
  const all = loadServiceConfigOrExit(role, options.env ?? process.env, options.sections)
  const config = all.runtime
  const logger = new JsonLogger(logLevelFromName(config.logLevel), role)
  logger.info('Starting', { ...describeConfig(config), observability: describeObservability(config.observability) })
  const runtime = await createApp(config, logger, all).catch((error: Error) => {
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
