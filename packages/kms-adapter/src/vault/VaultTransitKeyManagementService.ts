import http from 'node:http'
import { type AgentContext, Kms, TypedArrayEncoder } from '@credo-ts/core'
import NodeVault from 'node-vault'
import type { KeyWrapping } from '../KeyWrapping.js'
import { backendKeyName, type KeyNamespace } from '../keyNaming.js'
import { createRemoteKey, localRandomBytes, localVerify, notOffered, withKid } from '../remoteBackend.js'
import { type ResilienceOptions, ResilientCaller } from '../resilience/ResilientCaller.js'
import { algorithmForKey, publicJwkFromSpki, remoteOperationSupported } from '../signatureAlgorithms.js'
import { VaultTransitKeyWrapping } from './VaultTransitKeyWrapping.js'
import { isTransientVaultError, vaultStatus } from './vaultErrors.js'

export interface VaultTransitKeyManagementServiceOptions extends KeyNamespace, ResilienceOptions {
  /** `https://vault.example:8200`. */
  endpoint: string
  /** Mount path of the transit engine (default `transit`). */
  mount?: string
  /** Vault Enterprise namespace. */
  namespace?: string
  /** A token, or AppRole credentials (the service logs in, and again when the token expires). */
  auth: { token: string } | { roleId: string; secretId: string; mount?: string }
  /** The whole of one request, however slowly the KMS answers (default 5,000 ms). */
  timeoutMillis?: number
  /** Keep-alive sockets per instance (default 32). */
  maxSockets?: number
  /** How long a key's latest version is trusted before it is read again (default 60 s). */
  latestVersionTtlSeconds?: number
}

const VAULT_KEY_TYPES: Record<string, string> = { 'P-256': 'ecdsa-p256', 'P-384': 'ecdsa-p384', Ed25519: 'ed25519' }
const VAULT_HASHES: Record<string, string> = { sha256: 'sha2-256', sha384: 'sha2-384' }

interface VaultKeyData {
  type: string
  latest_version: number
  keys: Record<string, { public_key: string }>
}

/**
 * Credo key management on the HashiCorp Vault transit engine. Keys are created
 * non-exportable; signing happens in Vault (JWS marshalling for ECDSA, so signatures come back
 * as JOSE r||s); public keys are cached per key and version, and verification is done locally
 * with them. Ed25519, ECDSA P-256 and P-384. Rotation moves signing to a new key version. Keys
 * made outside Vault are wrapped with transit `encrypt`/`decrypt` ({@link VaultTransitKeyWrapping}).
 */
export class VaultTransitKeyManagementService implements Kms.KeyManagementService, KeyWrapping {
  public readonly backend = 'vault'
  // As every remote backend does them (remoteBackend.ts).
  public readonly verify = localVerify(this.backend, (agentContext, keyId) => this.getPublicKey(agentContext, keyId))
  public readonly randomBytes = localRandomBytes
  public readonly importKey = notOffered(this.backend, 'importing keys (keys are created in Vault)')
  public readonly encrypt = notOffered(this.backend, 'encryption')
  public readonly decrypt = notOffered(this.backend, 'decryption')
  private readonly client: NodeVault.client
  private readonly mount: string
  private readonly caller: ResilientCaller
  private readonly publicKeys = new Map<string, Kms.KmsJwkPublic>()
  private readonly latestVersions = new Map<string, { version: number; readAt: number }>()
  private readonly latestVersionTtlMillis: number
  /** Key wrapping: transit `encrypt`/`decrypt` under the tenant's wrapping key ({@link VaultTransitKeyWrapping}). */
  public readonly wrapKey: KeyWrapping['wrapKey']
  public readonly unwrapKey: KeyWrapping['unwrapKey']
  private login?: Promise<void>

  /** The circuit breaker's state (`closed`, `open`, `half-open`), for metrics. */
  public get circuitState() {
    return this.caller.circuitState
  }

  public constructor(private readonly options: VaultTransitKeyManagementServiceOptions) {
    this.mount = (options.mount ?? 'transit').replace(/^\/|\/$/g, '')
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 32 }
    const isHttps = options.endpoint.startsWith('https:')
    this.client = NodeVault({
      apiVersion: 'v1',
      endpoint: options.endpoint,
      namespace: options.namespace,
      token: 'token' in options.auth ? options.auth.token : undefined,
      requestOptions: {
        timeout: options.timeoutMillis ?? 5_000,
        ...(isHttps ? { agentOptions } : { httpAgent: new http.Agent(agentOptions) }),
      },
    } as NodeVault.VaultOptions)
    this.caller = new ResilientCaller(this.backend, isTransientVaultError, options)
    this.latestVersionTtlMillis = (options.latestVersionTtlSeconds ?? 60) * 1000
    const wrapping = new VaultTransitKeyWrapping(
      (operation, idempotent, path, body) => this.request(operation, idempotent, () => this.client.write(path, body)),
      this.mount,
      options,
    )
    this.wrapKey = wrapping.wrapKey.bind(wrapping)
    this.unwrapKey = wrapping.unwrapKey.bind(wrapping)
  }

  public isOperationSupported(_agentContext: AgentContext, operation: Kms.KmsOperation): boolean {
    return remoteOperationSupported(operation, VAULT_KEY_TYPES)
  }

  public createKey<Type extends Kms.KmsCreateKeyType>(
    agentContext: AgentContext,
    options: Kms.KmsCreateKeyOptions<Type>,
  ): Promise<Kms.KmsCreateKeyReturn<Type>> {
    return createRemoteKey(
      {
        backend: this.backend,
        service: 'Vault',
        keyTypes: VAULT_KEY_TYPES,
        nameOf: (keyId) => this.keyName(agentContext, keyId),
        exists: async (name) => Boolean(await this.readKey(name)),
        create: async (name, vaultType) => {
          await this.request('create key', false, () =>
            this.client.write(`${this.mount}/keys/${name}`, { type: vaultType, exportable: false }),
          )
        },
        publicKeyOf: (name) => this.getPublicKeyByName(name),
      },
      options,
    )
  }

  public async getPublicKey(agentContext: AgentContext, keyId: string): Promise<Kms.KmsJwkPublic | null> {
    const publicJwk = await this.getPublicKeyByName(this.keyName(agentContext, keyId))
    return publicJwk ? withKid(publicJwk, keyId) : null
  }

  public async sign(agentContext: AgentContext, options: Kms.KmsSignOptions): Promise<Kms.KmsSignReturn> {
    const name = this.keyName(agentContext, options.keyId)
    const publicJwk = await this.getPublicKeyByName(name)
    if (!publicJwk) throw new Kms.KeyManagementKeyNotFoundError(options.keyId, [this.backend])
    const spec = algorithmForKey(this.backend, options.algorithm, publicJwk)
    const body: Record<string, string> = { input: TypedArrayEncoder.toBase64(options.data) }
    if (spec.hash) {
      body.hash_algorithm = VAULT_HASHES[spec.hash] as string
      body.marshaling_algorithm = 'jws'
    }
    const response = await this.request('sign', true, () => this.client.write(`${this.mount}/sign/${name}`, body))
    const { signature, key_version: keyVersion } = response.data as { signature: string; key_version?: number }
    if (keyVersion) this.noteLatestVersion(name, keyVersion)
    const encoded = signature.split(':')[2] ?? ''
    // ECDSA with JWS marshalling is base64url r||s; Ed25519 is standard base64.
    const bytes = Buffer.from(encoded, spec.hash ? 'base64url' : 'base64')
    return { signature: new Uint8Array(bytes) }
  }

  public async deleteKey(agentContext: AgentContext, options: Kms.KmsDeleteKeyOptions): Promise<boolean> {
    const name = this.keyName(agentContext, options.keyId)
    if (!(await this.readKey(name))) return false
    await this.request('allow deletion', false, () =>
      this.client.write(`${this.mount}/keys/${name}/config`, { deletion_allowed: true }),
    )
    await this.request('delete key', false, () => this.client.delete(`${this.mount}/keys/${name}`))
    this.forget(name)
    return true
  }

  /** Moves the key to a new version: later signatures use it; earlier ones still verify in Vault. */
  public async rotateKey(agentContext: AgentContext, keyId: string): Promise<Kms.KmsJwkPublic> {
    const name = this.keyName(agentContext, keyId)
    await this.request('rotate key', false, () => this.client.write(`${this.mount}/keys/${name}/rotate`, {}))
    this.latestVersions.delete(name)
    const publicJwk = await this.getPublicKeyByName(name)
    if (!publicJwk) throw new Kms.KeyManagementKeyNotFoundError(keyId, [this.backend])
    return withKid(publicJwk, keyId)
  }

  private keyName(agentContext: AgentContext, keyId: string): string {
    return backendKeyName(this.options, agentContext, keyId)
  }

  /** The latest version's public key, from the cache when the version is known and fresh. */
  private async getPublicKeyByName(name: string): Promise<Kms.KmsJwkPublic | null> {
    const latest = this.latestVersions.get(name)
    if (latest && Date.now() - latest.readAt < this.latestVersionTtlMillis) {
      const cached = this.publicKeys.get(`${name}@${latest.version}`)
      if (cached) return cached
    }
    const key = await this.readKey(name)
    if (!key) return null
    for (const [version, entry] of Object.entries(key.keys)) {
      this.publicKeys.set(`${name}@${version}`, this.toJwk(key.type, entry.public_key))
    }
    this.latestVersions.set(name, { version: key.latest_version, readAt: Date.now() })
    return this.publicKeys.get(`${name}@${key.latest_version}`) ?? null
  }

  private noteLatestVersion(name: string, version: number): void {
    const known = this.latestVersions.get(name)
    if (known && known.version !== version) this.latestVersions.delete(name)
  }

  private forget(name: string): void {
    this.latestVersions.delete(name)
    for (const cacheKey of this.publicKeys.keys()) if (cacheKey.startsWith(`${name}@`)) this.publicKeys.delete(cacheKey)
  }

  private toJwk(type: string, publicKey: string): Kms.KmsJwkPublic {
    if (type === 'ed25519') {
      return { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey, 'base64').toString('base64url') }
    }
    return publicJwkFromSpki(publicKey)
  }

  private async readKey(name: string): Promise<VaultKeyData | null> {
    try {
      const response = await this.request('read key', true, () => this.client.read(`${this.mount}/keys/${name}`))
      return response.data as VaultKeyData
    } catch (error) {
      if (vaultStatus(error) === 404) return null
      throw error
    }
  }

  /** A Vault call with retries, breaker, bounded concurrency, and AppRole (re)login. */
  private async request<T>(operation: string, idempotent: boolean, call: () => Promise<T>): Promise<T> {
    const auth = this.options.auth
    const run = async () => {
      if ('roleId' in auth) await this.ensureLogin()
      try {
        return await call()
      } catch (error) {
        if ('roleId' in auth && vaultStatus(error) === 403) {
          this.login = undefined
          await this.ensureLogin()
          return call()
        }
        throw error
      }
    }
    return this.caller.call(run, { idempotent, operation: `${operation}` })
  }

  private ensureLogin(): Promise<void> {
    const auth = this.options.auth
    if (!('roleId' in auth)) return Promise.resolve()
    this.login ??= this.client
      .approleLogin({ role_id: auth.roleId, secret_id: auth.secretId, mount_point: auth.mount ?? 'approle' })
      .then(() => undefined)
      .catch((error: unknown) => {
        this.login = undefined
        throw error
      })
    return this.login
  }
}
