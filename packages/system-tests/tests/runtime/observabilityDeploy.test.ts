import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  instrumentKms,
  type MetricsListener,
  RuntimeMetrics,
  startMetricsListener,
  watchDatabasePools,
  watchDidCache,
  watchQueues,
  watchWebhooks,
  watchWorker,
} from '@attesto/agent-runtime'
import { DidCacheMetrics } from '@attesto/did-cache'
import { freePort, roleRuntime } from '@attesto/testing'
import { parse, stringify } from 'yaml'

// deploy/observability against the real Prometheus (Debian's `prometheus`, which ships
// `promtool`): the rules and the configuration pass promtool, and a Prometheus started with them
// scrapes a running service (both ways: the open metrics listener and the public port with the
// token), finds its targets up, evaluates every alert and answers every dashboard query.

const root = fileURLToPath(new URL('../../../../../', import.meta.url))
const observability = join(root, 'deploy/observability')
const installed = (tool: string) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0
const toolsInstalled = installed('promtool') && installed('prometheus')
// Under CI the tests must run: a missing Prometheus fails them (.ci/ensure-prometheus.sh installs it).
const describeWithPrometheus = toolsInstalled || process.env.CI === 'true' ? describe : describe.skip

function requireTools(): void {
  if (!toolsInstalled) {
    throw new Error('promtool and prometheus are required: apt-get install -y prometheus (.ci/ensure-prometheus.sh)')
  }
}

function promtool(...args: string[]) {
  const result = spawnSync('promtool', args, { encoding: 'utf8' })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

/** Every PromQL expression of the alert rules and the dashboard, with the dashboard's variables filled in. */
async function expressions(): Promise<{ alerts: string[]; dashboard: string[] }> {
  const rules = parse(await readFile(join(observability, 'alerts.yml'), 'utf8')) as {
    groups: { rules: { expr: string }[] }[]
  }
  const dashboard = JSON.parse(await readFile(join(observability, 'grafana-dashboard.json'), 'utf8')) as {
    panels: { targets: { expr: string }[] }[]
  }
  return {
    alerts: rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr)),
    dashboard: dashboard.panels
      .flatMap((panel) => panel.targets.map((target) => target.expr))
      .map((expr) => expr.replaceAll('$job', '.*').replaceAll('$__rate_interval', '1m')),
  }
}

/**
 * Metrics a role registers itself (the issuer's OID4VCI outcomes; the verifier's OID4VP outcomes and
 * status list lookups): verifier/tests/observability.test.ts finds them on the running services.
 */
const ROLE_METRICS = [
  'attesto_issuance_outcomes_total',
  'attesto_verification_outcomes_total',
  'attesto_status_list_lookups_total',
]

/** The name of every metric the runtime can serve, from collectors fed with stand-ins. */
async function servedMetricNames(): Promise<Set<string>> {
  const metrics = new RuntimeMetrics('names')
  watchDidCache(metrics, new DidCacheMetrics())
  watchQueues(metrics, {})
  watchWebhooks(metrics, { delivered: 0, failed: 0, deadLettered: 0, undeliverable: 0 })
  watchWorker(metrics, 'queue', new EventEmitter() as never)
  watchDatabasePools(metrics, { poolUsage: () => [] })
  instrumentKms(metrics, { backend: 'vault', circuitState: 'closed' } as never)
  const text = await metrics.exposition()
  return new Set([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => match[1] as string))
}

describeWithPrometheus('deploy/observability with Prometheus', () => {
  it('passes promtool check rules and check config', () => {
    requireTools()
    const rules = promtool('check', 'rules', join(observability, 'alerts.yml'))
    expect(rules.output).toContain('SUCCESS: 11 rules found')
    expect(rules.status).toBe(0)
    // The token file the configuration names exists only where it is deployed: syntax only.
    const config = promtool('check', 'config', '--syntax-only', join(observability, 'prometheus.yml'))
    expect(config.output).toContain('SUCCESS')
    expect(config.status).toBe(0)
  })

  it('names only metrics the services serve in its rules and dashboard', async () => {
    const served = await servedMetricNames()
    const histogramParts = (name: string) => name.replace(/_(bucket|count|sum)$/, '')
    const { alerts, dashboard } = await expressions()
    const named = new Set([...alerts, ...dashboard].flatMap((expr) => expr.match(/attesto_[a-z0-9_]+/g) ?? []))
    expect(named.size).toBeGreaterThan(10)
    for (const name of named) {
      if (ROLE_METRICS.includes(name)) continue
      expect({ name, served: served.has(name) || served.has(histogramParts(name)) }).toEqual({ name, served: true })
    }
  })

  describe('a Prometheus scraping a running service', () => {
    const token = randomBytes(24).toString('base64url')
    let directory = ''
    let service: Awaited<ReturnType<typeof roleRuntime>>
    let listener: MetricsListener
    let prometheus: ChildProcess
    let prometheusUrl = ''
    let prometheusOutput = ''

    const api = async (path: string) => {
      const response = await fetch(`${prometheusUrl}${path}`)
      // biome-ignore lint/suspicious/noExplicitAny: Prometheus API answers are inspected loosely
      return (await response.json()) as any
    }
    const eventually = async <T>(probe: () => Promise<T | undefined>, what: string): Promise<T> => {
      const deadline = Date.now() + 60_000
      for (;;) {
        const value = await probe().catch(() => undefined)
        if (value !== undefined) return value
        if (Date.now() > deadline || prometheus?.exitCode != null) {
          throw new Error(`Timed out waiting for ${what}:\n${prometheusOutput}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
    }

    beforeAll(async () => {
      requireTools()
      directory = await mkdtemp(join(tmpdir(), 'attesto-prometheus-'))
      service = await roleRuntime('verifier', () => ({}), { METRICS_TOKEN: token })
      listener = await startMetricsListener(service.runtime.metrics as RuntimeMetrics, 0, '127.0.0.1')

      // The deployed configuration, pointed at this service, scraping every second.
      const config = parse(await readFile(join(observability, 'prometheus.yml'), 'utf8')) as {
        global: Record<string, string>
        rule_files: string[]
        scrape_configs: {
          job_name: string
          static_configs: { targets: string[] }[]
          authorization?: { credentials_file: string }
        }[]
      }
      await writeFile(join(directory, 'metrics-token'), token)
      config.global.scrape_interval = '1s'
      config.global.scrape_timeout = '1s'
      config.global.evaluation_interval = '1s'
      config.rule_files = config.rule_files.map((file) => join(observability, file))
      for (const job of config.scrape_configs) {
        const withToken = job.authorization !== undefined
        if (job.authorization) job.authorization.credentials_file = join(directory, 'metrics-token')
        const target = new URL(withToken ? service.http.url : listener.url).host
        job.static_configs = [{ targets: [target] }]
      }
      await writeFile(join(directory, 'prometheus.yml'), stringify(config))
      const port = await freePort()
      prometheusUrl = `http://127.0.0.1:${port}`
      prometheus = spawn(
        'prometheus',
        [
          `--config.file=${join(directory, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(directory, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      )
      prometheus.stdout?.on('data', (chunk) => (prometheusOutput += chunk))
      prometheus.stderr?.on('data', (chunk) => (prometheusOutput += chunk))
      await eventually(async () => ((await fetch(`${prometheusUrl}/-/ready`)).ok ? true : undefined), 'Prometheus')
    }, 120_000)

    afterAll(async () => {
      if (prometheus && prometheus.exitCode === null) {
        await new Promise((resolve) => {
          prometheus.once('exit', resolve)
          prometheus.kill('SIGTERM')
        })
      }
      await listener?.close()
      await service?.close()
      if (directory) await rm(directory, { recursive: true, force: true })
    })

    it('finds every target up, over the metrics listener and over the public port with the token', async () => {
      const targets = await eventually(async () => {
        const { data } = await api('/api/v1/targets')
        const active = data.activeTargets as { health: string; labels: { job: string } }[]
        return active.length === 4 && active.every((target) => target.health === 'up') ? active : undefined
      }, 'the targets to be up')
      expect(targets.map((target) => target.labels.job).sort()).toEqual([
        'attesto-issuer',
        'attesto-issuer-worker',
        'attesto-public-port',
        'attesto-verifier',
      ])
    }, 90_000)

    it('answers a query with the service’s request metric, labelled by route template', async () => {
      // Prometheus's own scrapes of the public port are requests of the service, on route /metrics.
      const result = await eventually(async () => {
        const query = encodeURIComponent(
          'attesto_http_request_duration_seconds_count{job="attesto-verifier",route="/metrics"}',
        )
        const { data } = await api(`/api/v1/query?query=${query}`)
        return data.result.length > 0 ? data.result : undefined
      }, 'the request metric')
      expect(Number(result[0].value[1])).toBeGreaterThanOrEqual(1)
      expect(result[0].metric).toMatchObject({ method: 'GET', status: '200', service: 'verifier' })
    }, 90_000)

    it('evaluates every alert rule and answers every dashboard query', async () => {
      const rules = await eventually(async () => {
        const { data } = await api('/api/v1/rules')
        const all = data.groups.flatMap((group: { rules: unknown[] }) => group.rules) as {
          name: string
          health: string
          lastError?: string
        }[]
        return all.length === 11 && all.every((rule) => rule.health !== 'unknown') ? all : undefined
      }, 'the rules to be evaluated')
      for (const rule of rules)
        expect({ rule: rule.name, health: rule.health }).toEqual({ rule: rule.name, health: 'ok' })
      // With everything up and idle, nothing fires.
      const { data: alerts } = await api('/api/v1/alerts')
      expect(alerts.alerts.filter((alert: { state: string }) => alert.state === 'firing')).toEqual([])
      const { dashboard } = await expressions()
      for (const expr of dashboard) {
        const answer = await api(`/api/v1/query?query=${encodeURIComponent(expr)}`)
        expect({ expr, status: answer.status, error: answer.error }).toEqual({
          expr,
          status: 'success',
          error: undefined,
        })
      }
    }, 90_000)
  })
})
