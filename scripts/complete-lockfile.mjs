// Adds lock entries for optional platform binaries that the registry mirror used in
// development does not serve (Biome's non-linux-x64 CLIs). `npm install` leaves them out, and
// `npm ci` then refuses the lock as out of sync. Run after `npm install` changes the lock:
//   node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs'

const lockPath = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(lockPath, 'utf8'))
const biomeKey = 'node_modules/@biomejs/biome'
const biome = lock.packages[biomeKey]
if (!biome) throw new Error(`${biomeKey} is not in package-lock.json`)

const platforms = {
  'win32-x64': ['win32', 'x64'],
  'win32-arm64': ['win32', 'arm64'],
  'darwin-x64': ['darwin', 'x64'],
  'darwin-arm64': ['darwin', 'arm64'],
  'linux-x64': ['linux', 'x64'],
  'linux-arm64': ['linux', 'arm64'],
  'linux-x64-musl': ['linux', 'x64', 'musl'],
  'linux-arm64-musl': ['linux', 'arm64', 'musl'],
  'android-x64': ['android', 'x64'],
  'android-arm64': ['android', 'arm64'],
}

let added = 0
for (const [name, version] of Object.entries(biome.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`
  if (lock.packages[key]) continue
  const [os, cpu, libc] = platforms[name.replace('@biomejs/cli-', '')] ?? []
  if (!os) throw new Error(`unknown Biome platform package ${name}`)
  lock.packages[key] = {
    version,
    cpu: [cpu],
    dev: true,
    license: 'MIT OR Apache-2.0',
    optional: true,
    os: [os],
    ...(libc ? { libc: [libc] } : {}),
    engines: { node: '>=14.21.3' },
  }
  added += 1
}
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`)
console.log(`added ${added} lock entries`)
