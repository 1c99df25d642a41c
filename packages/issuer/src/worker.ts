import { describeConfig, JsonLogger, logLevelFromName, startMetricsListener, watchQueues } from '@attesto/agent-runtime'
import { OfferBatchWorker } from './batches/offerBatchWorker.js'
import { loadIssuerConfigOrExit } from './compose/issuerConfig.js'
import { issuerQueuesByLabel } from './compose/issuerQueues.js'
import { createIssuerServices } from './compose/issuerServices.js'

/**
 * `attesto-issuer worker`: makes the offers of bulk batches, records approved claims of
 * deferred offers, applies bulk status changes and delivers webhooks, apart from the API, on the
 * issuer's services without HTTP (storage, KMS, agent, queues: no express, edge or OpenAPI), so that
 * operators scale workers on their own (for example by queue depth). Same configuration as the
 * issuer (storage, KMS, PUBLIC_BASE_URL of the API, REDIS_URL or REDIS_CLUSTER_NODES required) plus the QUEUE_* and
 * BATCH_* variables. SIGTERM stops taking jobs, lets the running ones finish, then exits.
 */
export async function runWorker(env: Record<string, string | undefined>): Promise<void> {
  const issuerConfig = loadIssuerConfigOrExit(env)
  const { runtime: config, batches: batchConfig } = issuerConfig
  if (!config.redis) {
    console.error(
      'Invalid configuration:\n  REDIS_URL: required by the worker, or REDIS_CLUSTER_NODES (the queues are in Redis)',
    )
    process.exit(1)
  }
  const logger = new JsonLogger(logLevelFromName(config.logLevel), 'issuer-worker')
  logger.info('Starting worker', { ...describeConfig(config), queue: batchConfig })
  const runtime = await createIssuerServices(config, logger, batchConfig, issuerConfig.statusLists)
  const { metrics, observability } = runtime
  const worker = new OfferBatchWorker({
    root: runtime.agent.context,
    connections: runtime.queueConnections,
    config: batchConfig,
    logger,
    metrics,
    webhooks: runtime.webhooks,
    offers: runtime.offers,
  }).start()
  runtime.deferredClaims?.startWorking(runtime.offers.sessions, logger, metrics)
  runtime.statusChanges?.startWorking(runtime.credentialStatus, logger, metrics)
  if (metrics) watchQueues(metrics, { ...issuerQueuesByLabel(runtime), webhooks: runtime.webhooks?.queue })
  const metricsListener =
    metrics && observability.workerMetricsPort !== undefined
      ? await startMetricsListener(metrics, observability.workerMetricsPort, observability.metricsHost)
      : undefined
  if (metricsListener) logger.info('Serving metrics', { port: observability.workerMetricsPort })

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info('Stopping worker: finishing the running jobs', { signal })
    const timer = setTimeout(() => {
      logger.error('Worker did not stop in time; exiting')
      process.exit(1)
    }, config.shutdownTimeoutMillis + batchConfig.lockDurationMillis)
    timer.unref()
    await worker.close()
    await metricsListener?.close()
    await runtime.close()
    logger.info('Worker stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}
