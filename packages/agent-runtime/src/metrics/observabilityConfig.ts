import { z } from 'zod'
import { resolveSecretFiles } from '../config/resolveSecretFiles.js'
import { parseEnvironment } from '../config/runtimeConfig.js'

const onOff = z.enum(['on', 'off'])

const schema = z.object({
  METRICS: onOff.default('on'),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  METRICS_HOST: z.string().default('0.0.0.0'),
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  ACCESS_LOG: onOff.default('on'),
})

/** The variables this module reads (checked against the deployment manifests). */
export const OBSERVABILITY_ENVIRONMENT_VARIABLES: readonly string[] = Object.keys(schema.shape)

/** Metrics and the access log (docs/OBSERVABILITY.md). */
export interface ObservabilityConfig {
  /** Collect and serve metrics at all (`METRICS=off`: no per-request metrics work, no `/metrics`). */
  metrics: boolean
  /** `GET /metrics` on the service's own port requires `Authorization: Bearer <token>`. */
  metricsToken?: string
  /** A separate listener serving `GET /metrics` only, without a token (bind it to a private network). */
  metricsPort?: number
  metricsHost: string
  /** The worker's metrics listener (`attesto-issuer worker`); the worker serves none without it. */
  workerMetricsPort?: number
  /** One log line per HTTP request (`ACCESS_LOG=off`: none). */
  accessLog: boolean
}

/** What a start-up log line may say of the configuration (whether a token is set, never the token). */
export function describeObservability(config: ObservabilityConfig): Record<string, unknown> {
  return {
    metrics: config.metrics,
    metricsToken: config.metricsToken ? 'set' : 'none',
    metricsPort: config.metricsPort ?? 'none',
    workerMetricsPort: config.workerMetricsPort ?? 'none',
    accessLog: config.accessLog,
  }
}

/** Reads the observability variables (`METRICS_TOKEN` may come from `METRICS_TOKEN_FILE`). */
export function loadObservabilityConfig(env: Record<string, string | undefined> = process.env): ObservabilityConfig {
  const e = parseEnvironment(schema, resolveSecretFiles(env))
  return {
    metrics: e.METRICS === 'on',
    metricsToken: e.METRICS_TOKEN,
    metricsPort: e.METRICS_PORT,
    metricsHost: e.METRICS_HOST,
    workerMetricsPort: e.WORKER_METRICS_PORT,
    accessLog: e.ACCESS_LOG === 'on',
  }
}
