import { z } from 'zod'
import { configSection, type Environment, readSection, variable } from './configSection.js'

const onOff = z.enum(['on', 'off'])
const port = z.coerce.number().int().min(0).max(65_535)

/** Metrics and the access log: part of every service's configuration (docs/OBSERVABILITY.md). */
export const OBSERVABILITY_VARIABLES = {
  ACCESS_LOG: variable(onOff.default('on'), {
    description: '`off`: no access-log line per request ([docs/OBSERVABILITY.md](docs/OBSERVABILITY.md#access-log))',
  }),
  METRICS: variable(onOff.default('on'), { description: '`off`: no metrics (no per-request timing, no `/metrics`)' }),
  METRICS_TOKEN: variable(z.string().min(16, 'must be at least 16 characters').optional(), {
    description:
      "serve `GET /metrics` (Prometheus) on the service's port behind `Authorization: Bearer <METRICS_TOKEN>`, at least 16 characters; without it and without `METRICS_PORT` metrics are served nowhere ([docs/OBSERVABILITY.md](docs/OBSERVABILITY.md))",
    secret: true,
  }),
  METRICS_PORT: variable(port.optional(), {
    description: 'a separate, open listener serving only `GET /metrics` (keep it on the private network)',
  }),
  METRICS_HOST: variable(z.string().default('0.0.0.0'), { description: 'the address of the `METRICS_PORT` listener' }),
  WORKER_METRICS_PORT: variable(port.optional(), {
    description: "the issuer worker's metrics listener (`attesto-issuer worker`)",
    roles: ['issuer'],
  }),
}

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

export const OBSERVABILITY_SECTION = configSection({
  variables: OBSERVABILITY_VARIABLES,
  from: (e): ObservabilityConfig => ({
    metrics: e.METRICS === 'on',
    metricsToken: e.METRICS_TOKEN,
    metricsPort: e.METRICS_PORT,
    metricsHost: e.METRICS_HOST,
    workerMetricsPort: e.WORKER_METRICS_PORT,
    accessLog: e.ACCESS_LOG === 'on',
  }),
})

/**
 * The observability variables of `env` alone (`METRICS_TOKEN` may come from `METRICS_TOKEN_FILE`).
 * A service reads them once at boot with the rest, as `RuntimeConfig.observability`.
 */
export function loadObservabilityConfig(env: Environment): ObservabilityConfig {
  return readSection(OBSERVABILITY_SECTION, env)
}
