import {
  createCipheriv,
  createDecipheriv,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
  sign,
} from 'node:crypto'
import http from 'node:http'
import { closeNow, listenOnLoopback, loopbackUrl } from './loopback.js'

// A test double of HashiCorp Vault's transit secrets engine, speaking its documented HTTP API
// (https://developer.hashicorp.com/vault/api-docs/secret/transit) for the calls the backend
// makes: create, read, rotate, configure and delete keys, sign, and encrypt and decrypt with
// `aes256-gcm96` keys (ciphertext `vault:v<version>:` and base64 of nonce, ciphertext and tag,
// `associated_data` authenticated; `encrypt` creates a missing key unless upsert is disabled).
// Keys are generated with node:crypto and never leave the process (no export endpoint). Used by
// the tests and the benchmark only; never in production.

const ASYMMETRIC = ['ecdsa-p256', 'ecdsa-p384', 'ed25519']

interface TestKey {
  type: 'ecdsa-p256' | 'ecdsa-p384' | 'ed25519' | 'aes256-gcm96'
  /** Asymmetric keys have a key pair per version, `aes256-gcm96` keys a secret. */
  versions: { privateKey?: KeyObject; publicKey?: KeyObject; secret?: Buffer; created: string }[]
  deletionAllowed: boolean
}

export interface VaultTransitTestServerOptions {
  mount?: string
  token?: string
  approle?: { roleId: string; secretId: string }
  /** As `transit/config/keys` with `disable_upsert: true`: `encrypt` never creates a key. */
  disableUpsert?: boolean
}

export class VaultTransitTestServer {
  public readonly token: string
  public readonly mount: string
  /** Requests received, by kind: `create`, `read`, `sign`, `encrypt`, `decrypt`, `rotate`, `config`, `delete`, `login`. */
  public readonly requests: Record<string, number> = {}
  /** Every request body received, to check that no key material was ever sent. */
  public readonly bodies: string[] = []
  public latencyMillis = 0
  private failures: { count: number; status: number } = { count: 0, status: 500 }
  private down = false
  private readonly keys = new Map<string, TestKey>()
  private readonly tokens = new Set<string>()
  private server?: http.Server

  public constructor(private readonly options: VaultTransitTestServerOptions = {}) {
    this.token = options.token ?? `s.${randomUUID()}`
    this.mount = options.mount ?? 'transit'
    this.tokens.add(this.token)
  }

  public get url(): string {
    return loopbackUrl(this.server, 'VaultTransitTestServer')
  }

  public async start(): Promise<this> {
    this.server = http.createServer((request, response) => {
      if (this.down) return request.socket.destroy()
      let body = ''
      request.on('data', (chunk) => (body += chunk))
      request.on('end', () => {
        this.bodies.push(body)
        const reply = () => this.handle(request, body, response)
        if (this.latencyMillis) setTimeout(reply, this.latencyMillis)
        else reply()
      })
    })
    await listenOnLoopback(this.server)
    return this
  }

  public stop(): Promise<void> {
    return closeNow(this.server)
  }

  /** The next `count` requests answer `status` (503 sealed, 429 throttled, …). */
  public failNext(count: number, status = 503): void {
    this.failures = { count, status }
  }

  /** While down, every connection is reset without an answer. */
  public setDown(down: boolean): void {
    this.down = down
  }

  /** Key names the server holds (to check tenant namespacing). */
  public keyNames(): string[] {
    return [...this.keys.keys()]
  }

  private count(kind: string) {
    this.requests[kind] = (this.requests[kind] ?? 0) + 1
  }

  private handle(request: http.IncomingMessage, body: string, response: http.ServerResponse) {
    const send = (status: number, payload?: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(payload === undefined ? undefined : JSON.stringify(payload))
    }
    const errors = (status: number, ...messages: string[]) => send(status, { errors: messages })
    if (this.failures.count > 0) {
      this.failures.count -= 1
      return errors(this.failures.status, 'Vault is sealed')
    }
    const url = new URL(request.url ?? '/', 'http://vault')
    const path = url.pathname
    const json = body ? (JSON.parse(body) as Record<string, unknown>) : {}

    if (path === '/v1/sys/health') return send(200, { initialized: true, sealed: false, standby: false })
    if (path === '/v1/auth/approle/login' && request.method === 'POST') {
      this.count('login')
      const approle = this.options.approle
      if (!approle || json.role_id !== approle.roleId || json.secret_id !== approle.secretId) {
        return errors(400, 'invalid role or secret ID')
      }
      const token = `s.${randomUUID()}`
      this.tokens.add(token)
      return send(200, { auth: { client_token: token, lease_duration: 3600, renewable: true } })
    }
    if (!this.tokens.has(String(request.headers['x-vault-token']))) return errors(403, 'permission denied')

    const match = new RegExp(`^/v1/${this.mount}/(keys|sign|encrypt|decrypt)/([^/]+)(?:/(rotate|config))?$`).exec(path)
    if (!match) return errors(404)
    const [, section, name = '', action] = match
    const key = this.keys.get(name)

    if (section === 'keys' && !action && request.method === 'POST') {
      this.count('create')
      if (json.exportable === true) return errors(400, 'this test server refuses exportable keys')
      if (!key) {
        const type = json.type as TestKey['type']
        if (![...ASYMMETRIC, 'aes256-gcm96'].includes(type)) return errors(400, `unsupported key type ${type}`)
        this.keys.set(name, { type, versions: [this.generate(type)], deletionAllowed: false })
      }
      return send(204)
    }
    if (section === 'keys' && !action && request.method === 'GET') {
      this.count('read')
      if (!key) return errors(404)
      const keys: Record<string, unknown> = {}
      key.versions.forEach((version, index) => {
        if (!version.publicKey) {
          keys[String(index + 1)] = Math.floor(Date.parse(version.created) / 1000)
          return
        }
        keys[String(index + 1)] = {
          creation_time: version.created,
          name: key.type === 'ed25519' ? 'ed25519' : key.type === 'ecdsa-p256' ? 'P-256' : 'P-384',
          public_key:
            key.type === 'ed25519'
              ? Buffer.from(version.publicKey.export({ format: 'jwk' }).x as string, 'base64url').toString('base64')
              : version.publicKey.export({ format: 'pem', type: 'spki' }),
        }
      })
      return send(200, {
        data: {
          name,
          type: key.type,
          exportable: false,
          deletion_allowed: key.deletionAllowed,
          latest_version: key.versions.length,
          min_decryption_version: 1,
          keys,
        },
      })
    }
    if (section === 'keys' && action === 'rotate' && request.method === 'POST') {
      this.count('rotate')
      if (!key) return errors(400, 'encryption key not found')
      key.versions.push(this.generate(key.type))
      return send(204)
    }
    if (section === 'keys' && action === 'config' && request.method === 'POST') {
      this.count('config')
      if (!key) return errors(400, 'encryption key not found')
      if (typeof json.deletion_allowed === 'boolean') key.deletionAllowed = json.deletion_allowed
      return send(204)
    }
    if (section === 'keys' && !action && request.method === 'DELETE') {
      this.count('delete')
      if (!key) return send(204)
      if (!key.deletionAllowed) return errors(400, 'deletion is not allowed for this key')
      this.keys.delete(name)
      return send(204)
    }
    if ((section === 'encrypt' || section === 'decrypt') && request.method === 'POST') {
      this.count(section)
      return this.crypt(section, name, json, send, errors)
    }
    if (section === 'sign' && request.method === 'POST') {
      this.count('sign')
      if (!key) return errors(400, 'encryption key not found')
      if (!ASYMMETRIC.includes(key.type)) return errors(400, `key type ${key.type} does not support signing`)
      const version = key.versions.length
      const current = key.versions[version - 1] as { privateKey: KeyObject }
      const input = Buffer.from(String(json.input ?? ''), 'base64')
      if (key.type === 'ed25519') {
        const signature = sign(null, input, current.privateKey).toString('base64')
        return send(200, { data: { signature: `vault:v${version}:${signature}`, key_version: version } })
      }
      const hash = json.hash_algorithm === 'sha2-384' ? 'sha384' : 'sha256'
      const jws = json.marshaling_algorithm === 'jws'
      const signature = sign(hash, input, { key: current.privateKey, dsaEncoding: jws ? 'ieee-p1363' : 'der' })
      const encoded = jws ? signature.toString('base64url') : signature.toString('base64')
      return send(200, { data: { signature: `vault:v${version}:${encoded}`, key_version: version } })
    }
    return errors(405)
  }

  /** `encrypt` and `decrypt` with an `aes256-gcm96` key, as transit does them. */
  private crypt(
    section: 'encrypt' | 'decrypt',
    name: string,
    json: Record<string, unknown>,
    send: (status: number, payload?: unknown) => void,
    errors: (status: number, ...messages: string[]) => void,
  ) {
    let key = this.keys.get(name)
    if (!key && section === 'encrypt' && !this.options.disableUpsert) {
      if ((json.type ?? 'aes256-gcm96') !== 'aes256-gcm96') return errors(400, `unsupported key type ${json.type}`)
      key = { type: 'aes256-gcm96', versions: [this.generate('aes256-gcm96')], deletionAllowed: false }
      this.keys.set(name, key)
    }
    if (!key) return errors(400, 'encryption key not found')
    if (key.type !== 'aes256-gcm96') return errors(400, `key type ${key.type} does not support encryption`)
    const versions = key.versions
    const aad = Buffer.from(String(json.associated_data ?? ''), 'base64')
    if (section === 'encrypt') {
      if (typeof json.plaintext !== 'string') return errors(400, 'missing plaintext to encrypt')
      const version = versions.length
      const nonce = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', versions[version - 1]?.secret as Buffer, nonce)
      cipher.setAAD(aad)
      const sealed = Buffer.concat([nonce, cipher.update(Buffer.from(json.plaintext, 'base64')), cipher.final()])
      const ciphertext = `vault:v${version}:${Buffer.concat([sealed, cipher.getAuthTag()]).toString('base64')}`
      return send(200, { data: { ciphertext, key_version: version } })
    }
    const parsed = /^vault:v([0-9]+):(.+)$/.exec(String(json.ciphertext ?? ''))
    if (!parsed) return errors(400, 'invalid ciphertext: no prefix')
    const secret = versions[Number(parsed[1]) - 1]?.secret
    if (!secret) return errors(400, 'invalid key version')
    const bytes = Buffer.from(parsed[2] as string, 'base64')
    try {
      const decipher = createDecipheriv('aes-256-gcm', secret, bytes.subarray(0, 12))
      decipher.setAAD(aad)
      decipher.setAuthTag(bytes.subarray(bytes.length - 16))
      const plaintext = Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()])
      return send(200, { data: { plaintext: plaintext.toString('base64') } })
    } catch {
      return errors(400, 'cipher: message authentication failed')
    }
  }

  private generate(type: TestKey['type']): TestKey['versions'][number] {
    if (type === 'aes256-gcm96') return { secret: randomBytes(32), created: new Date().toISOString() }
    const pair =
      type === 'ed25519'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('ec', { namedCurve: type === 'ecdsa-p256' ? 'P-256' : 'P-384' })
    return { ...pair, created: new Date().toISOString() }
  }
}
