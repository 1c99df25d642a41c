#!/usr/bin/env node
import {
  describeConfig,
  JsonLogger,
  loadRuntimeConfig,
  logLevelFromName,
  startHttpServer,
} from '@attesto/agent-runtime'
import { createIssuerApp } from './app.js'

// The issuer service: configuration from the environment (see README), then listen. SIGTERM
// lets in-flight requests finish before the agent and storage close.
let config: ReturnType<typeof loadRuntimeConfig>
try {
  config = loadRuntimeConfig({ ...process.env, ROLE: 'issuer' })
} catch (error) {
  console.error((error as Error).message)
  process.exit(1)
}
const logger = new JsonLogger(logLevelFromName(config.logLevel), 'issuer')
logger.info('Starting', describeConfig(config))
const runtime = await createIssuerApp(config, logger)
await startHttpServer(runtime.app, {
  port: config.port,
  logger,
  shutdownTimeoutMillis: config.shutdownTimeoutMillis,
  onShutdown: () => runtime.close(),
})
