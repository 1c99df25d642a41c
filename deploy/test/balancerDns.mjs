// The shipped balancers' name resolution, on its own: HAProxy with the `resolvers` section of
// deploy/compose/haproxy/shared.cfg, one healthy server, and a DNS server that never answers.
// With holds shorter than the outage, HAProxy puts the healthy server in maintenance ("DNS
// timeout status") and answers 503; the shipped holds must keep it in: still 200 after 40 s.
//   node deploy/test/balancerDns.mjs        (needs haproxy on the PATH; run.sh installs it)
import { spawn } from 'node:child_process'
import dgram from 'node:dgram'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const OUTAGE_MILLIS = 40_000
const log = (message) => console.log(`[balancer-dns] ${message}`)

const shipped = readFileSync(join(root, 'deploy/compose/haproxy/shared.cfg'), 'utf8')
const resolvers = /^resolvers compose\n((?: {2}.*\n)+)/m.exec(shipped)?.[1]
if (!resolvers) throw new Error('deploy/compose/haproxy/shared.cfg has no `resolvers compose` section')
for (const other of ['issuer.cfg', 'verifier.cfg']) {
  if (!readFileSync(join(root, 'deploy/compose/haproxy', other), 'utf8').includes(`resolvers compose\n${resolvers}`)) {
    throw new Error(`deploy/compose/haproxy/${other} resolves names otherwise than shared.cfg`)
  }
}

const listen = (server, port = 0) =>
  new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server.address().port)))
// A DNS server that reads every query and answers none.
const dns = dgram.createSocket('udp4')
await new Promise((resolve) => dns.bind(0, '127.0.0.1', resolve))
const backend = http.createServer((_request, response) => response.end('ok'))
const backendPort = await listen(backend)
// A free port for the balancer: taken, then given back.
const taken = http.createServer()
const frontendPort = await listen(taken)
await new Promise((resolve) => taken.close(resolve))

const dir = mkdtempSync(join(tmpdir(), 'attesto-balancer-dns-'))
const config = `global
  log stdout format raw local0 warning
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
  option httpchk GET /
  default-server inter 1s fall 2 rise 2 check resolvers compose resolve-prefer ipv4 init-addr 127.0.0.1
resolvers compose
${resolvers.replace('  parse-resolv-conf\n', `  nameserver silent 127.0.0.1:${dns.address().port}\n`)}
frontend probe
  bind 127.0.0.1:${frontendPort}
  default_backend instances
backend instances
  server instance instance.invalid:${backendPort}
`
writeFileSync(join(dir, 'haproxy.cfg'), config)
const haproxy = spawn('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')], { stdio: ['ignore', 'pipe', 'pipe'] })
let output = ''
haproxy.stdout.on('data', (chunk) => (output += chunk))
haproxy.stderr.on('data', (chunk) => (output += chunk))
const status = () =>
  fetch(`http://127.0.0.1:${frontendPort}/`).then(
    (response) => response.status,
    () => 0,
  )
try {
  const deadline = Date.now() + 10_000
  while ((await status()) !== 200 && Date.now() < deadline) await sleep(200)
  if ((await status()) !== 200) throw new Error(`the balancer never served:\n${output}`)
  log(`serving; its DNS server answers nothing for ${OUTAGE_MILLIS / 1000} s`)
  await sleep(OUTAGE_MILLIS)
  const after = await status()
  if (after !== 200 || /maintenance/.test(output)) {
    throw new Error(`after ${OUTAGE_MILLIS / 1000} s without DNS answers the balancer answered ${after}:\n${output}`)
  }
  log(`still 200 after ${OUTAGE_MILLIS / 1000} s without a DNS answer: the health checks decide, not DNS`)
} finally {
  haproxy.kill('SIGKILL')
  dns.close()
  backend.close()
  rmSync(dir, { recursive: true, force: true })
}
