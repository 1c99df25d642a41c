// `npm start`: the issuer on :3000 and the verifier on :3001, on embedded defaults: PGlite under
// ./data/<role>, a local KMS whose master key file is generated on first start (with a warning
// that production needs a real KMS), no Redis. An admin API key is generated into
// ./data/admin-api-key unless ADMIN_API_KEY is set. Ctrl-C stops both gracefully.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const dataDir = process.env.PGLITE_DATA_DIR ?? `${root}data`
mkdirSync(dataDir, { recursive: true })

let adminApiKey = process.env.ADMIN_API_KEY
if (!adminApiKey) {
  const file = `${dataDir}/admin-api-key`
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 })
  adminApiKey = readFileSync(file, 'utf8').trim()
  console.log(`Admin API key: in ${file} (set ADMIN_API_KEY to use your own)`)
}

const services = [
  { role: 'issuer', port: process.env.ISSUER_PORT ?? '3000' },
  { role: 'verifier', port: process.env.VERIFIER_PORT ?? '3001' },
]
const children = services.map(({ role, port }) =>
  spawn(process.execPath, [`${root}packages/${role}/dist/src/server.js`], {
    stdio: 'inherit',
    env: {
      ...process.env,
      PORT: port,
      PUBLIC_BASE_URL: process.env[`${role.toUpperCase()}_PUBLIC_BASE_URL`] ?? `http://127.0.0.1:${port}`,
      PGLITE_DATA_DIR: dataDir,
      ADMIN_API_KEY: adminApiKey,
      // Local services: the verifier reads the issuer's status lists on 127.0.0.1.
      STATUS_LIST_ALLOW_LOOPBACK: process.env.STATUS_LIST_ALLOW_LOOPBACK ?? 'true',
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
