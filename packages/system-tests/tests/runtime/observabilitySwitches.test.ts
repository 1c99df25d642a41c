import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import {
  createRuntimeAgent,
  JsonLogger,
  loadObservabilityConfig,
  mountRestApi,
  TenantsModule,
} from '@attesto/agent-runtime'
import { startService } from '@attesto/testing'
import { LogLevel } from '@credo-ts/core'

// The switches of docs/OBSERVABILITY.md on a running service: METRICS=off leaves no metrics and
// no /metrics even with a token, ACCESS_LOG=off leaves no access line; the defaults have both.

const TOKEN = 'metrics-token-0123456789'

/** A service with the shared REST skeleton, observability from `env`, its log lines collected. */
async function serviceWith(env: Record<string, string>) {
  const lines: Record<string, unknown>[] = []
  const logger = new JsonLogger(LogLevel.info, 'switches', (line) => lines.push(JSON.parse(line)))
  const service = await startService(
    'verifier',
    async (config, log) => {
      const runtime = await createRuntimeAgent(config, log, () => ({ tenants: new TenantsModule() }), {
        observability: loadObservabilityConfig(env),
      })
      mountRestApi(runtime, {
        protocolPath: '/oid4vp',
        openApi: {},
        adminApiKey: config.adminApiKey,
        logger: log,
        tenantScopedRoutes: [],
        webhookEvents: [],
        allowInsecureWebhooks: true,
      })
      return runtime
    },
    {},
    { logger },
  )
  return { service, lines }
}

describe('observability switches', () => {
  it('reads the variables with sane defaults and refuses a short token', () => {
    expect(loadObservabilityConfig({})).toEqual({ metrics: true, metricsHost: '0.0.0.0', accessLog: true })
    expect(() => loadObservabilityConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: must be at least 16/)
    expect(() => loadObservabilityConfig({ METRICS: 'yes' })).toThrow(/METRICS/)
  })

  it('makes a service with a bad value exit at start with the variable named', () => {
    const runService = pathToFileURL(createRequire(import.meta.url).resolve('@attesto/agent-runtime')).href
    const child = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `(await import('${runService}')).loadRuntimeConfigOrExit('verifier', process.env)`],
      { env: { PATH: process.env.PATH, METRICS_TOKEN: 'short' }, encoding: 'utf8' },
    )
    expect(child.status).toBe(1)
    expect(child.stderr).toContain('METRICS_TOKEN: must be at least 16 characters')
    expect(child.stderr).not.toContain('short')
  })

  // First of the services here: the route templates are recorded for the access log alone too.
  it('with METRICS=off alone: the access log still names the route template', async () => {
    const { service, lines } = await serviceWith({ METRICS: 'off' })
    try {
      await service.call('GET', '/health', undefined, undefined, { 'x-request-id': 'switch-3' })
      expect(lines.filter((line) => line.message === 'request' && line.requestId === 'switch-3')).toEqual([
        expect.objectContaining({ route: '/health', status: 200 }),
      ])
    } finally {
      await service.close()
    }
  })

  it('with the defaults and a token: metrics, an access line per request, and the id on every line', async () => {
    const { service, lines } = await serviceWith({ METRICS_TOKEN: TOKEN })
    try {
      const health = await service.call('GET', '/health', undefined, undefined, { 'x-request-id': 'switch-1' })
      expect(health.status).toBe(200)
      const metrics = await fetch(`${service.http.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
      expect(metrics.status).toBe(200)
      expect(await metrics.text()).toMatch(/attesto_http_request_duration_seconds_count\{[^}]*route="\/health"/)
      expect(lines.filter((line) => line.message === 'request' && line.requestId === 'switch-1')).toEqual([
        expect.objectContaining({ method: 'GET', route: '/health', status: 200, level: 'info' }),
      ])
    } finally {
      await service.close()
    }
  })

  it('with METRICS=off and ACCESS_LOG=off: no /metrics (even with a token), no access line, ids still answered', async () => {
    const { service, lines } = await serviceWith({ METRICS: 'off', ACCESS_LOG: 'off', METRICS_TOKEN: TOKEN })
    try {
      expect(service.runtime.metrics).toBeUndefined()
      const health = await service.call('GET', '/health', undefined, undefined, { 'x-request-id': 'switch-2' })
      expect(health.headers.get('x-request-id')).toBe('switch-2')
      const metrics = await fetch(`${service.http.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
      expect(metrics.status).not.toBe(200)
      expect(await metrics.text()).not.toContain('attesto_')
      expect(lines.filter((line) => line.message === 'request')).toEqual([])
    } finally {
      await service.close()
    }
  })
})
