// What the browser bundle gives modules that import node's built-ins (`node:crypto`, `node:http`,
// ...). Only what runs on the browser's path is real: random UUIDs and SHA-256 hashes, and the
// no-op forms of helpers called while modules load. Everything else throws when called, naming
// what is missing, instead of failing somewhere later: in the browser build the credential status
// reader (node's HTTP, DNS and zlib) and the scrypt wallet migration do not run.
const { sha256 } = require('@noble/hashes/sha2.js')

const base64url = (bytes) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
const hex = (bytes) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')

function createHash(algorithm) {
  if (algorithm !== 'sha256') throw new Error(`node:crypto createHash('${algorithm}') is not in the browser build`)
  const hash = sha256.create()
  const hasher = {
    update(data) {
      hash.update(typeof data === 'string' ? new TextEncoder().encode(data) : data)
      return hasher
    },
    digest(encoding) {
      const bytes = hash.digest()
      if (encoding === 'base64url') return base64url(bytes)
      if (encoding === 'hex') return hex(bytes)
      return globalThis.Buffer ? globalThis.Buffer.from(bytes) : bytes
    },
  }
  return hasher
}

const real = {
  randomUUID: () => globalThis.crypto.randomUUID(),
  createHash,
  promisify: (fn) => fn,
  createRequire: () => (name) => {
    throw new Error(`${name} is not in the browser build`)
  },
}

const missing = (name) =>
  function notInBrowser() {
    throw new Error(`${name} (a node built-in) is not available in the browser build of @attesto/holder`)
  }

module.exports = new Proxy(real, {
  get(target, name) {
    if (name === '__esModule') return false
    if (name === 'default') return module.exports
    if (typeof name !== 'string') return undefined
    return name in target ? target[name] : missing(name)
  },
})
