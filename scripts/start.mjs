// `npm start`: the issuer on :3000 and the verifier on :3001, on embedded defaults: PGlite under
// ./data/<role>, a local KMS whose master key file is generated on first start (with a warning
// that production needs a real KMS), no Redis. Both listen on 127.0.0.1 unless HOST says
// otherwise. An admin API key is generated into ./data/admin-api-key unless ADMIN_API_KEY is set.
// Once both answer /ready, a short summary says where they are (base URL, /openapi.json, and
// /docs when it answers), where the admin key is and what to try next. Ctrl-C
// stops both gracefully.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const dataDir = process.env.PGLITE_DATA_DIR ?? `${root}data`
mkdirSync(dataDir, { recursive: true })

let adminApiKey = process.env.ADMIN_API_KEY
const adminApiKeyFile = `${dataDir}/admin-api-key`
if (!adminApiKey) {
  if (!existsSync(adminApiKeyFile)) {
    writeFileSync(adminApiKeyFile, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 })
  }
  adminApiKey = readFileSync(adminApiKeyFile, 'utf8').trim()
}
const host = process.env.HOST ?? '127.0.0.1'
/** Where this script reaches a service itself: a wildcard address is reached on loopback. */
const localHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host

const services = [
  { role: 'issuer', port: process.env.ISSUER_PORT ?? '3000' },
  { role: 'verifier', port: process.env.VERIFIER_PORT ?? '3001' },
]
const publicUrl = (role, port) => process.env[`${role.toUpperCase()}_PUBLIC_BASE_URL`] ?? `http://127.0.0.1:${port}`
const children = services.map(({ role, port }) =>
  spawn(process.execPath, [`${root}packages/${role}/dist/src/server.js`], {
    stdio: 'inherit',
    env: {
      ...process.env,
      PORT: port,
      HOST: host,
      PUBLIC_BASE_URL: publicUrl(role, port),
      PGLITE_DATA_DIR: dataDir,
      ADMIN_API_KEY: adminApiKey,
      // The local issuer publishes its status lists at http://127.0.0.1: a development setting.
      ...(role === 'verifier' ? { STATUS_LIST_ALLOW_INSECURE: process.env.STATUS_LIST_ALLOW_INSECURE ?? 'true' } : {}),
    },
  }),
)

let stopping = false
const stop = (signal) => {
  stopping = true
  for (const child of children) if (child.exitCode === null) child.kill(signal)
}
process.on('SIGINT', () => stop('SIGTERM'))
process.on('SIGTERM', () => stop('SIGTERM'))
for (const child of children) {
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`A service exited (code ${code}); stopping the other one.`)
      stop('SIGTERM')
      process.exitCode = code || 1
    }
  })
}

/** Waits until `url` answers 200 (false when a service exits or after 5 minutes). */
async function answers(url) {
  const deadline = Date.now() + 300_000
  while (!stopping && Date.now() < deadline) {
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    )
    if (ok) return true
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return false
}

const local = ({ port }) => `http://${localHost}:${port}`
const ready = await Promise.all(services.map((service) => answers(`${local(service)}/ready`)))
if (ready.every(Boolean)) {
  const lines = ['', `Attesto is running (listening on ${host}; set HOST=0.0.0.0 to accept other machines).`]
  for (const service of services) {
    const base = publicUrl(service.role, service.port)
    const docs = await fetch(`${local(service)}/docs`).then(
      (response) => response.ok,
      () => false,
    )
    lines.push(`  ${service.role.padEnd(9)} ${base}`)
    lines.push(`            OpenAPI ${base}/openapi.json${docs ? `   docs ${base}/docs` : ''}`)
  }
  lines.push(
    process.env.ADMIN_API_KEY
      ? '  Admin API key: the ADMIN_API_KEY you set'
      : `  Admin API key: in ${adminApiKeyFile} (set ADMIN_API_KEY to use your own)`,
  )
  lines.push('  Next: in another terminal, npm run demo    (Ctrl-C here stops both services)', '')
  console.log(lines.join('\n'))
}
