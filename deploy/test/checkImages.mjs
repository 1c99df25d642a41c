// Checks built images: non-root user, OCI labels, HEALTHCHECK on /health, no secret and no
// build-time CA in any layer or in the configuration, and prints each image's size.
//   node deploy/test/checkImages.mjs attesto-issuer:latest attesto-verifier:latest
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'

const podman = (...args) => execFileSync('podman', args, { encoding: 'utf8', maxBuffer: 64 << 20 })
const fail = (message) => {
  console.error(`[images] FAIL: ${message}`)
  process.exitCode = 1
}
const ca = process.env.NODE_EXTRA_CA_CERTS
const caBytes = ca ? readFileSync(ca) : undefined
const caHash = caBytes && createHash('sha256').update(caBytes).digest('hex')
const secretLike = /(BEGIN [A-Z ]*(CERTIFICATE|PRIVATE KEY))|(postgres(ql)?:\/\/[^:\s]+:[^@\s]+@)|(_authToken)/i

for (const image of process.argv.slice(2)) {
  const [inspect] = JSON.parse(podman('image', 'inspect', image))
  const config = inspect.Config ?? {}
  const labels = config.Labels ?? {}
  const user = config.User ?? ''
  if (!user || user === 'root' || user === '0') fail(`${image} runs as root`)
  for (const label of ['version', 'revision', 'source']) {
    if (!labels[`org.opencontainers.image.${label}`]) fail(`${image} has no org.opencontainers.image.${label} label`)
  }
  const health = inspect.Healthcheck?.Test?.join(' ') ?? ''
  if (!health.includes('/health')) fail(`${image} has no HEALTHCHECK on /health`)
  const history = podman('history', '--no-trunc', '--format', '{{.CreatedBy}}', image)
  const env = (config.Env ?? []).join('\n')
  for (const [what, text] of [
    ['history', history],
    ['environment', env],
  ]) {
    if (secretLike.test(text)) fail(`${image}: something secret-looking in its ${what}`)
  }
  if (/NODE_EXTRA_CA_CERTS=\/(?!run\/secrets)/.test(history)) fail(`${image}: the CA path is baked into a layer`)
  if (caHash) {
    // Every file of the image with the CA bundle's size is hashed: none may be the CA.
    const mount = podman('image', 'mount', image).trim()
    try {
      const size = statSync(ca).size
      const candidates = execFileSync('find', [mount, '-xdev', '-type', 'f', '-size', `${size}c`], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
      for (const file of candidates) {
        if (createHash('sha256').update(readFileSync(file)).digest('hex') === caHash) {
          fail(`${image} contains the build CA at ${file.slice(mount.length)}`)
        }
      }
    } finally {
      podman('image', 'unmount', image)
    }
  }
  const megabytes = (inspect.Size / 1e6).toFixed(0)
  console.log(
    `[images] ${image}: ${megabytes} MB, user ${user}, version ${labels['org.opencontainers.image.version']}, revision ${labels['org.opencontainers.image.revision']?.slice(0, 12)}`,
  )
}
if (process.exitCode) process.exit(1)
