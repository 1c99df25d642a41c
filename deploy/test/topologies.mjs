// Runs deploy/compose/shared.yaml, then split.yaml, with podman-compose on 127.0.0.1 ports:
// the main job (scripts/demo.mjs, first with --x509) through the balancers with requests spread round robin over
// two instances per role, one issuer and one verifier killed (podman kill) while flows run,
// cold start to /ready and SIGTERM drain of a read-only container, and (split) the issuer's
// network cannot reach the verifier's database. All of it on a busy machine: two CPU-bound
// processes run beside it (DEPLOY_TEST_CPU_HOGS, default 2), the balancers lose DNS for longer
// than their old hold times, and the containers' DNS server answers late while instances are
// killed; the balancers must keep the healthy instances in. Removes everything it started, also
// on failure.
//   node deploy/test/topologies.mjs [shared] [split]
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const root = fileURLToPath(new URL('../..', import.meta.url))
const run = promisify(execFile)
const log = (message) => console.log(`[deploy] ${message}`)
const seconds = (millis) => `${(millis / 1000).toFixed(1)} s`

const TOPOLOGIES = {
  shared: {
    file: 'deploy/compose/shared.yaml',
    ports: { ISSUER_PORT: 18080, VERIFIER_PORT: 18081, STATS_PORT: 18404 },
    statsPorts: [18404],
    databases: ['postgres'],
    stores: ['postgres', 'redis'],
    migrations: ['issuer-migrate', 'verifier-migrate'],
    services: ['issuer-1', 'issuer-2', 'issuer-worker', 'verifier-1', 'verifier-2', 'balancer'],
    network: 'attesto',
    networks: ['attesto'],
    balancers: ['balancer'],
    urls: { ISSUER_URL: 'http://balancer:8080', VERIFIER_URL: 'http://balancer:8081' },
  },
  split: {
    file: 'deploy/compose/split.yaml',
    ports: {
      ISSUER_PORT: 18180,
      VERIFIER_PORT: 18181,
      ISSUER_STATS_PORT: 18484,
      VERIFIER_STATS_PORT: 18485,
    },
    statsPorts: [18484, 18485],
    databases: ['issuer-postgres', 'verifier-postgres'],
    stores: ['issuer-postgres', 'issuer-redis', 'verifier-postgres'],
    migrations: ['issuer-migrate', 'verifier-migrate'],
    services: [
      'issuer-1',
      'issuer-2',
      'issuer-worker',
      'issuer-balancer',
      'verifier-1',
      'verifier-2',
      'verifier-balancer',
    ],
    network: 'issuer',
    networks: ['issuer', 'verifier'],
    balancers: ['issuer-balancer', 'verifier-balancer'],
    isolatedNetworks: true,
    urls: { ISSUER_URL: 'http://issuer-balancer:8080', VERIFIER_URL: 'http://verifier-balancer:8081' },
  },
}

async function podman(...args) {
  return (await run('podman', args, { maxBuffer: 64 << 20 })).stdout.trim()
}

async function waitFor(what, check, timeoutMillis = 120_000, everyMillis = 250) {
  const deadline = Date.now() + timeoutMillis
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return
    await sleep(everyMillis)
  }
  throw new Error(`timed out waiting for ${what}`)
}

const answers = (url) => fetch(url, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status === 200)

/**
 * One run of the main job (scripts/demo.mjs, the wallet included) against the balancers, from a
 * container on the topology's networks: the services announce the balancers' names there (they
 * must reach their own public URL too), as a DNS name would be in production.
 */
function demo(project, spec, env, ...demoArgs) {
  const started = Date.now()
  const args = ['run', '--rm', '--network', spec.networks.map((network) => `${project}_${network}`).join(',')]
  for (const [key, value] of Object.entries(env)) args.push('-e', `${key}=${value}`)
  args.push('-v', `${root}:/repo:ro`, '-w', '/repo', 'node:20-bookworm-slim', 'node', 'scripts/demo.mjs', ...demoArgs)
  return new Promise((resolve) => {
    const child = spawn('podman', args)
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('close', (code) => resolve({ ok: code === 0, millis: Date.now() - started, output }))
  })
}

/** Per server of the balancers' stats: [name, status, 2xx responses, address]. */
async function balancerServers(statsPorts) {
  const rows = []
  for (const port of statsPorts) {
    const csv = await (await fetch(`http://127.0.0.1:${port}/stats;csv`)).text()
    const [header, ...lines] = csv.replace(/^# /, '').trim().split('\n')
    const column = Object.fromEntries(header.split(',').map((name, index) => [name, index]))
    for (const line of lines) {
      const cells = line.split(',')
      if (['FRONTEND', 'BACKEND'].includes(cells[column.svname]) || cells[column.pxname] === 'stats') continue
      rows.push([
        cells[column.svname],
        cells[column.status],
        Number(cells[column.hrsp_2xx]),
        cells[column.addr]?.split(':')[0],
      ])
    }
  }
  return rows
}

/**
 * CPU-bound processes beside the test, as on a shared CI host: each spins for at most 30 minutes
 * and is killed when the test ends.
 */
function startCpuHogs(count) {
  const spin = 'const end = Date.now() + 30 * 60_000; while (Date.now() < end) {}'
  const hogs = Array.from({ length: count }, () => spawn(process.execPath, ['-e', spin], { stdio: 'ignore' }))
  return () => {
    for (const hog of hogs) hog.kill('SIGKILL')
  }
}

/** The process id whose network namespace a container has. */
const pidOf = async (name) => podman('inspect', '--format', '{{.State.Pid}}', name)

/**
 * Runs `action` while the balancers' containers can send no DNS query at all (UDP and TCP port
 * 53 dropped in their network namespaces): name resolution must not take an instance out.
 */
async function withoutBalancerDns(names, action) {
  const rules = ['udp', 'tcp'].map((protocol) => ['OUTPUT', '-p', protocol, '--dport', '53', '-j', 'DROP'])
  const pids = await Promise.all(names.map(pidOf))
  const iptables = (pid, ...args) => run('nsenter', ['-t', pid, '-n', 'iptables', '-w', ...args])
  for (const pid of pids) for (const rule of rules) await iptables(pid, '-I', ...rule)
  try {
    return await action()
  } finally {
    for (const pid of pids) for (const rule of rules) await iptables(pid, '-D', ...rule).catch(() => undefined)
  }
}

/**
 * Makes the containers' DNS server (podman's aardvark-dns) answer late until the returned
 * function is called: stopped 1.5 s of every 2 s, so an answer takes up to 1.5 s.
 */
async function slowContainerDns() {
  const pids = (await run('pgrep', ['-x', 'aardvark-dns']).catch(() => ({ stdout: '' }))).stdout.trim().split('\n')
  if (!pids[0]) throw new Error("no aardvark-dns process: cannot slow the containers' DNS down")
  let slowing = true
  const signal = (name) => run('kill', [`-${name}`, ...pids]).catch(() => undefined)
  const loop = (async () => {
    while (slowing) {
      await signal('STOP')
      await sleep(1_500)
      await signal('CONT')
      await sleep(500)
    }
  })()
  return async () => {
    slowing = false
    await loop
    await signal('CONT')
  }
}

/** The container's address on the topology's network. */
const addressOf = (name) =>
  podman('inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', name).then((out) =>
    out.split(' ').filter(Boolean),
  )

/**
 * Flows for 45 s while the balancers can resolve no name (their old holds gave up after 30 s and
 * took every instance out): every flow completes and every instance stays in.
 */
async function flowsWithoutBalancerDns(name, spec, project, urls, figures) {
  const blockMillis = 45_000
  log(`${name}: the balancers get no DNS answer for ${blockMillis / 1000} s; flows run meanwhile`)
  const started = Date.now()
  let flows = 0
  await withoutBalancerDns(
    spec.balancers.map((balancer) => `${project}_${balancer}_1`),
    async () => {
      while (Date.now() - started < blockMillis) {
        const flow = await demo(project, spec, urls)
        if (!flow.ok) throw new Error(`a flow failed while the balancers had no DNS:\n${flow.output}`)
        flows += 1
        const out = (await balancerServers(spec.statsPorts)).filter(([, status]) => !status.startsWith('UP'))
        if (out.length)
          throw new Error(`instances taken out without DNS: ${out.map((row) => row.join(' ')).join(', ')}`)
      }
    },
  )
  figures[`${name}: flows with the balancers' DNS dropped for ${blockMillis / 1000} s, every instance in`] =
    `${flows} in ${seconds(Date.now() - started)}`
}

/**
 * The killed instances come back (restarted by their policy, or started here as an operator
 * would), possibly at new addresses: the balancers follow them there and take them in again.
 */
async function instancesBack(name, spec, project, killed, addressesBefore, figures) {
  const started = Date.now()
  for (const service of killed) {
    const running = await podman('inspect', '--format', '{{.State.Running}}', `${project}_${service}_1`)
    if (running !== 'true') await podman('start', `${project}_${service}_1`)
  }
  const moved = []
  await waitFor(
    'the killed instances UP again behind the balancers, at their current addresses',
    async () => {
      const servers = await balancerServers(spec.statsPorts)
      moved.length = 0
      for (const service of killed) {
        const row = servers.find(([server]) => server === service)
        const now = await addressOf(`${project}_${service}_1`)
        if (!row || row[1] !== 'UP' || !now.includes(row[3])) return false
        const before = addressesBefore[service] ?? []
        if (!before.includes(row[3])) moved.push(`${service} ${before.join(' ')} -> ${row[3]}`)
      }
      return servers.every(([, status]) => status === 'UP')
    },
    180_000,
    500,
  )
  figures[`${name}: killed instances back in rotation`] = seconds(Date.now() - started)
  log(`${name}: killed instances UP again; ${moved.length ? `new addresses: ${moved.join(', ')}` : 'same addresses'}`)
}

/** With no verifier instance up, the balancer's own 503 is JSON with a stable code, like the services' errors. */
async function balancerUnavailableIsJson(project, spec, port) {
  await podman('stop', '-t', '5', `${project}_verifier-1_1`, `${project}_verifier-2_1`)
  await waitFor(
    'both verifiers out of rotation',
    async () =>
      (await balancerServers(spec.statsPorts))
        .filter(([server]) => server.startsWith('verifier'))
        .every(([, status]) => !status.startsWith('UP')),
    60_000,
    500,
  )
  const response = await fetch(`http://127.0.0.1:${port}/health`)
  const body = await response.text()
  let code
  try {
    code = JSON.parse(body).error?.code
  } catch {}
  if (
    response.status !== 503 ||
    !response.headers.get('content-type')?.startsWith('application/json') ||
    code !== 'no_instance_available'
  )
    throw new Error(`the balancer's 503 is not the JSON error: ${response.status} ${body.slice(0, 200)}`)
  log(`shared: no verifier up: the balancer answered 503 ${JSON.stringify(body.trim().slice(0, 80))}…`)
}

/**
 * The first `docker run` a newcomer types: nothing but ADMIN_API_KEY (the verifier also with a
 * read-only root filesystem). The service serves on embedded storage in the image's /app/data
 * volume, and says that production needs PostgreSQL and a real KMS.
 */
async function newcomerRuns(project, extra, figures) {
  const adminApiKey = 'newcomer-admin-key-0123456789abcdef'
  for (const [role, port, readOnly] of [
    ['issuer', 18092, false],
    ['verifier', 18093, true],
  ]) {
    const name = `${project}-newcomer-${role}`
    const started = Date.now()
    extra.push(name)
    const flags = readOnly ? ['--read-only'] : []
    await podman(
      'run',
      '-d',
      '--name',
      name,
      ...flags,
      '-p',
      `127.0.0.1:${port}:8080`,
      '-e',
      `ADMIN_API_KEY=${adminApiKey}`,
      `attesto-${role}:latest`,
    )
    await waitFor(`${role} on embedded storage /ready`, () => answers(`http://127.0.0.1:${port}/ready`), 120_000, 100)
    const created = await fetch(`http://127.0.0.1:${port}/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'Newcomer' }),
    })
    if (!created.ok) throw new Error(`${role} on embedded storage: POST /tenants answered ${created.status}`)
    const logs = await podman('logs', name)
    for (const warning of ['Production needs PostgreSQL', 'Production needs a real KMS'])
      if (!logs.includes(warning)) throw new Error(`${role} on embedded storage did not warn "${warning}":\n${logs}`)
    figures[
      `docker run with ADMIN_API_KEY only${readOnly ? ' (read-only root)' : ''}, to a tenant created: attesto-${role}`
    ] = seconds(Date.now() - started)
    await podman('rm', '-f', name)
  }
}

/** What to remove if the test is interrupted (Ctrl-C, CI timeout) while a topology runs. */
const cleanups = new Set()
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    log(`${signal}: removing everything started so far`)
    for (const cleanup of cleanups) await cleanup()
    process.exit(130)
  })
}

async function runTopology(name, spec, figures) {
  const project = `attesto-test-${name}`
  const secrets = mkdtempSync(join(tmpdir(), `attesto-${name}-secrets-`))
  const env = { ...process.env, ATTESTO_SECRETS_DIR: secrets }
  for (const [key, value] of Object.entries(spec.ports)) env[key] = String(value)
  const compose = (...args) =>
    run('podman-compose', ['-p', project, '-f', join(root, spec.file), ...args], { env, maxBuffer: 64 << 20 })
  const container = (service) => `${project}_${service}_1`
  const extra = []
  const started = Date.now()
  const cleanup = async () => {
    log(`${name}: removing everything it started`)
    for (const id of extra) await podman('rm', '-f', id).catch(() => undefined)
    await compose('down', '-v').catch((error) => log(`compose down: ${error.message}`))
    for (const network of spec.networks)
      await podman('network', 'rm', '-f', `${project}_${network}`).catch(() => undefined)
    rmSync(secrets, { recursive: true, force: true })
  }
  cleanups.add(cleanup)
  const hogs = Number(process.env.DEPLOY_TEST_CPU_HOGS ?? 2)
  const stopHogs = startCpuHogs(hogs)
  if (hogs) log(`${name}: ${hogs} CPU-bound processes run beside the test (DEPLOY_TEST_CPU_HOGS)`)
  try {
    await run('bash', [join(root, 'deploy/compose/make-secrets.sh'), name, secrets])
    const secret = (file) => readFileSync(join(secrets, file), 'utf8').trim()
    const urls = { ...spec.urls, ADMIN_API_KEY: secret('admin_api_key') }

    if (spec.isolatedNetworks) {
      // podman-compose 1.0.3 ignores driver_opts, and uses a network that already exists.
      for (const network of spec.networks) {
        await podman(
          'network',
          'create',
          '--opt',
          'isolate=true',
          '--label',
          `io.podman.compose.project=${project}`,
          `${project}_${network}`,
        )
      }
    }
    log(`${name}: starting databases and Redis`)
    await compose('up', '-d', '--no-deps', ...spec.stores)
    for (const database of spec.databases) {
      await waitFor(`${database}`, async () => {
        await podman('exec', container(database), 'pg_isready', '-q', '-h', '127.0.0.1')
        return true
      })
    }
    log(`${name}: migrations (schema owner), then grants to the app roles`)
    await compose('up', '-d', '--no-deps', ...spec.migrations)
    for (const migration of spec.migrations) {
      const code = await podman('wait', container(migration))
      if (code !== '0') throw new Error(`${migration} exited ${code}:\n${await podman('logs', container(migration))}`)
    }
    const servicesStarted = Date.now()
    await compose('up', '-d', '--no-deps', ...spec.services)
    await waitFor('every instance up behind the balancers', async () => {
      const servers = await balancerServers(spec.statsPorts)
      return servers.length === 4 && servers.every(([, status]) => status === 'UP')
    })
    figures[`${name}: services started to every instance UP`] = seconds(Date.now() - servicesStarted)
    log(`${name}: all four instances UP in ${figures[`${name}: services started to every instance UP`]}`)

    // The first flow with X.509: the issuer's certificate from a development CA, x5c on the
    // credential and its status list, the wallet and the bank trusting that CA (docs/X509.md).
    const first = await demo(project, spec, urls, '--x509')
    if (!first.ok || !first.output.includes('"anchorId":"demo-national"')) {
      throw new Error(`the X.509 demo failed through the balancers:\n${first.output}`)
    }
    figures[`${name}: one demo flow with X.509 (wallet container start included)`] = seconds(first.millis)
    const served = await balancerServers(spec.statsPorts)
    log(`${name}: 2xx responses per instance: ${served.map(([server, , n]) => `${server} ${n}`).join(', ')}`)
    for (const [server, , n] of served) if (!(n > 0)) throw new Error(`${server} served nothing: no round robin`)

    if (name === 'split') await checkIsolation(container)
    if (name === 'shared') {
      await coldStarts(project, spec, secrets, extra, figures)
      await newcomerRuns(project, extra, figures)
    }
    await flowsWithoutBalancerDns(name, spec, project, urls, figures)

    log(
      `${name}: 4 flows, 2 at a time, the containers' DNS answering late; killing issuer-1 and verifier-2 once under way`,
    )
    const killed = ['issuer-1', 'verifier-2']
    const addressesBefore = Object.fromEntries(
      await Promise.all(killed.map(async (service) => [service, await addressOf(container(service))])),
    )
    const restoreDns = await slowContainerDns()
    const flowsStarted = Date.now()
    const flows = []
    let next = 0
    let killedAt = Number.POSITIVE_INFINITY
    const retried = []
    const worker = async () => {
      while (next < 4) {
        next += 1
        const startedAt = Date.now()
        let flow = await demo(project, spec, urls)
        // A flow in flight when its instance died can meet a row lock the dead instance's
        // session still holds (PostgreSQL drops it after idle_in_transaction_session_timeout,
        // half of DATABASE_STATEMENT_TIMEOUT_MILLIS): its client retries. Flows started after the
        // kill get no second chance.
        if (!flow.ok && startedAt < killedAt) {
          retried.push(flow.output.split('\n').find((line) => /Error|: \d{3} /.test(line)) ?? 'failed')
          flow = await demo(project, spec, urls)
        }
        flows.push(flow)
      }
    }
    const served2xx = async () => (await balancerServers(spec.statsPorts)).reduce((sum, [, , n]) => sum + n, 0)
    const before = await served2xx()
    const workers = [worker(), worker()]
    await waitFor('the flows to reach the balancers', async () => (await served2xx()) > before, 300_000, 100)
    await podman('kill', container('issuer-1'), container('verifier-2'))
    killedAt = Date.now()
    log(`${name}: killed ${container('issuer-1')} and ${container('verifier-2')} mid-flow`)
    await Promise.all(workers).finally(restoreDns)
    for (const reason of retried)
      log(`${name}: a flow in flight at the kill failed and was run again: ${reason.trim()}`)
    figures[`${name}: flows in flight at the kill that failed and were retried`] = String(retried.length)
    const failed = flows.filter((flow) => !flow.ok)
    if (failed.length) throw new Error(`${failed.length} of 4 flows failed after the kill:\n${failed[0]?.output}`)
    const after = await demo(project, spec, urls)
    if (!after.ok) throw new Error(`a flow after the kill failed:\n${after.output}`)
    figures[`${name}: 4 flows (2 in flight) with 2 instances killed, then 1 more`] = seconds(Date.now() - flowsStarted)
    log(`${name}: every flow completed (${flows.length + 1} after the kill began)`)
    await instancesBack(name, spec, project, killed, addressesBefore, figures)
    if (name === 'shared') await balancerUnavailableIsJson(project, spec, spec.ports.VERIFIER_PORT)
    figures[`${name}: whole topology test`] = seconds(Date.now() - started)
  } catch (error) {
    log(`${name}: FAILED; container states:`)
    console.log((await compose('ps').catch((e) => ({ stdout: String(e) }))).stdout)
    // What the services said: the last lines of each of our containers.
    for (const service of spec.services) {
      const logs = await podman('logs', '--tail', '40', container(service)).catch((e) => String(e))
      console.log(`--- ${service} (last 40 lines)\n${logs}`)
    }
    throw error
  } finally {
    stopHogs()
    cleanups.delete(cleanup)
    await cleanup()
  }
}

/** Split topology: the issuer's containers cannot open a connection to the verifier's database. */
async function checkIsolation(container) {
  const probe = (host) =>
    podman(
      'exec',
      container('issuer-2'),
      'node',
      '-e',
      `const s=require('net').connect({host:${JSON.stringify(host)},port:5432,timeout:3000});` +
        `s.on('connect',()=>{console.log('open');process.exit(0)});s.on('timeout',()=>{console.log('timeout');process.exit(1)});` +
        `s.on('error',(e)=>{console.log(e.code);process.exit(1)})`,
    ).then(
      (out) => ({ open: true, out }),
      (error) => ({ open: false, out: String(error.stdout ?? '').trim() }),
    )
  const own = await probe('issuer-postgres')
  if (!own.open) throw new Error(`the issuer cannot reach its own database (${own.out})`)
  const address = await podman(
    'inspect',
    '--format',
    '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}',
    container('verifier-postgres'),
  )
  for (const host of ['verifier-postgres', ...address.split(' ').filter(Boolean)]) {
    const other = await probe(host)
    if (other.open) throw new Error(`the issuer reached the verifier's database at ${host}`)
    log(`split: issuer -> verifier database at ${host}: refused (${other.out || 'no route'})`)
  }
}

/** A fresh instance of each role, read-only root filesystem: `podman run` to /ready 200, then SIGTERM. */
async function coldStarts(project, spec, secrets, extra, figures) {
  for (const [role, port] of [
    ['issuer', 18090],
    ['verifier', 18091],
  ]) {
    const name = `${project}-coldstart-${role}`
    const started = Date.now()
    extra.push(name)
    await podman(
      'run',
      '-d',
      '--name',
      name,
      '--network',
      `${project}_${spec.network}`,
      '--read-only',
      '--tmpfs',
      '/tmp',
      '-p',
      `127.0.0.1:${port}:8080`,
      '-v',
      `${secrets}/${role}_database_url:/run/secrets/database_url:ro`,
      '-v',
      `${secrets}/${role}_master_key:/run/secrets/master_key:ro`,
      '-e',
      'DATABASE_URL_FILE=/run/secrets/database_url',
      '-e',
      'KMS_MASTER_KEY_FILE=/run/secrets/master_key',
      `attesto-${role}:latest`,
    )
    await waitFor(`${role} /ready`, () => answers(`http://127.0.0.1:${port}/ready`), 120_000, 50)
    const coldStart = Date.now() - started
    figures[`cold start, podman run to /ready 200: attesto-${role}`] = seconds(coldStart)
    const stopped = Date.now()
    await podman('stop', '-t', '20', name)
    const code = await podman('inspect', '--format', '{{.State.ExitCode}}', name)
    const logs = await podman('logs', name)
    if (code !== '0' || !logs.includes('Shut down')) throw new Error(`${role} did not drain on SIGTERM (exit ${code})`)
    figures[`SIGTERM to exit 0 (drained), idle: attesto-${role}`] = seconds(Date.now() - stopped)
    log(`${role}: cold start ${seconds(coldStart)}, SIGTERM drained and exited 0 in ${seconds(Date.now() - stopped)}`)
  }
}

const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(TOPOLOGIES)
const figures = {}
for (const name of chosen) {
  const spec = TOPOLOGIES[name]
  if (!spec) throw new Error(`unknown topology ${name}`)
  await runTopology(name, spec, figures)
}
log('figures:')
for (const [what, value] of Object.entries(figures)) console.log(`  ${what}: ${value}`)
