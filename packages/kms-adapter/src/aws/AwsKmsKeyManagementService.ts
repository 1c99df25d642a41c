import { createHash } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  GetPublicKeyCommand,
  type KeySpec,
  KMSClient,
  ScheduleKeyDeletionCommand,
  SignCommand,
  type SigningAlgorithmSpec,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms'
import { type AgentContext, Kms } from '@credo-ts/core'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import type { KeyWrapping } from '../KeyWrapping.js'
import { backendKeyName, type KeyNamespace } from '../keyNaming.js'
import { createRemoteKey, localRandomBytes, localVerify, notOffered, withKid } from '../remoteBackend.js'
import { type ResilienceOptions, ResilientCaller } from '../resilience/ResilientCaller.js'
import {
  algorithmForKey,
  publicJwkFromSpki,
  type RemoteSignatureAlgorithm,
  remoteOperationSupported,
} from '../signatureAlgorithms.js'
import { AwsKmsKeyWrapping } from './AwsKmsKeyWrapping.js'
import { awsErrorName, isGoneAwsKey, isTransientAwsError } from './awsErrors.js'
import { ecdsaDerToJose } from './ecdsaDerToJose.js'

export interface AwsKmsKeyManagementServiceOptions extends KeyNamespace, ResilienceOptions {
  region: string
  /** A VPC or test endpoint; the regional endpoint when absent. */
  endpoint?: string
  /** Static credentials; the SDK's default provider chain (role, environment, …) when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  /** The whole of one request, however slowly the KMS answers (default 5,000 ms). */
  timeoutMillis?: number
  /** Keep-alive sockets per instance (default 50). */
  maxSockets?: number
  /** Waiting period before a deleted key is destroyed, 7 to 30 days (default 7). */
  deletionWindowInDays?: number
  /** How long an alias's target key is trusted before it is looked up again (default 60 s). */
  aliasTtlSeconds?: number
}

const KEY_SPECS: Record<string, KeySpec> = {
  'P-256': 'ECC_NIST_P256',
  'P-384': 'ECC_NIST_P384',
  secp256k1: 'ECC_SECG_P256K1',
  Ed25519: 'ECC_NIST_EDWARDS25519',
}

/** AWS KMS accepts at most this many bytes as a RAW message. */
const MAX_RAW_MESSAGE_BYTES = 4096

interface ResolvedKey {
  arn: string
  publicJwk: Kms.KmsJwkPublic
  readAt: number
}

/**
 * Credo key management on AWS KMS. Each Credo key is an asymmetric KMS key (SIGN_VERIFY) behind
 * an alias named for its role, tenant and key id. Signing happens in KMS; ECDSA signatures come
 * back as DER and are converted to JOSE r||s; messages over 4 KiB are hashed locally and sent
 * as a digest. Public keys come from GetPublicKey (SPKI) and are cached per key. Deletion
 * schedules the key's destruction after the waiting period. Rotation creates a new key and
 * moves the alias. Keys made outside KMS are wrapped with `Encrypt`/`Decrypt` under a symmetric
 * key per tenant ({@link AwsKmsKeyWrapping}).
 */
export class AwsKmsKeyManagementService implements Kms.KeyManagementService, KeyWrapping {
  public readonly backend = 'aws'
  // As every remote backend does them (remoteBackend.ts).
  public readonly verify = localVerify(this.backend, (agentContext, keyId) => this.getPublicKey(agentContext, keyId))
  public readonly randomBytes = localRandomBytes
  public readonly importKey = notOffered(this.backend, 'importing keys (keys are created in AWS KMS)')
  public readonly encrypt = notOffered(this.backend, 'encryption')
  public readonly decrypt = notOffered(this.backend, 'decryption')
  private readonly client: KMSClient
  private readonly caller: ResilientCaller
  private readonly aliases = new Map<string, ResolvedKey>()
  private readonly aliasTtlMillis: number
  /** Key wrapping: `Encrypt`/`Decrypt` under the tenant's symmetric wrapping key ({@link AwsKmsKeyWrapping}). */
  public readonly wrapKey: KeyWrapping['wrapKey']
  public readonly unwrapKey: KeyWrapping['unwrapKey']

  /** The circuit breaker's state (`closed`, `open`, `half-open`), for metrics. */
  public get circuitState() {
    return this.caller.circuitState
  }

  public constructor(private readonly options: AwsKmsKeyManagementServiceOptions) {
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 50 }
    const timeout = options.timeoutMillis ?? 5_000
    this.client = new KMSClient({
      region: options.region,
      endpoint: options.endpoint,
      credentials: options.credentials,
      // Retries, backoff and the circuit breaker are ours (ResilientCaller), not the SDK's.
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({
        httpAgent: new http.Agent(agentOptions),
        httpsAgent: new https.Agent(agentOptions),
        requestTimeout: timeout,
        connectionTimeout: timeout,
      }),
    })
    this.caller = new ResilientCaller(this.backend, isTransientAwsError, options)
    const wrapping = new AwsKmsKeyWrapping(
      {
        client: this.client,
        request: (operation, idempotent, call) => this.request(operation, idempotent, call),
        createWrappingKey: (agentContext, name) =>
          this.createAliasedKey(agentContext, name, 'SYMMETRIC_DEFAULT', 'key-wrapping'),
      },
      options,
    )
    this.wrapKey = wrapping.wrapKey.bind(wrapping)
    this.unwrapKey = wrapping.unwrapKey.bind(wrapping)
    this.aliasTtlMillis = (options.aliasTtlSeconds ?? 60) * 1000
  }

  public isOperationSupported(_agentContext: AgentContext, operation: Kms.KmsOperation): boolean {
    return remoteOperationSupported(operation, KEY_SPECS)
  }

  public createKey<Type extends Kms.KmsCreateKeyType>(
    agentContext: AgentContext,
    options: Kms.KmsCreateKeyOptions<Type>,
  ): Promise<Kms.KmsCreateKeyReturn<Type>> {
    return createRemoteKey(
      {
        backend: this.backend,
        service: 'AWS KMS',
        keyTypes: KEY_SPECS,
        nameOf: (keyId) => this.keyName(agentContext, keyId),
        exists: async (name) => Boolean(await this.resolve(name)),
        create: (name, keySpec, keyId) => this.createAliasedKey(agentContext, name, keySpec, keyId),
        publicKeyOf: async (name) => (await this.resolve(name))?.publicJwk ?? null,
      },
      options,
    )
  }

  public async getPublicKey(agentContext: AgentContext, keyId: string): Promise<Kms.KmsJwkPublic | null> {
    const resolved = await this.resolve(this.keyName(agentContext, keyId))
    return resolved ? withKid(resolved.publicJwk, keyId) : null
  }

  public async sign(agentContext: AgentContext, options: Kms.KmsSignOptions): Promise<Kms.KmsSignReturn> {
    const name = this.keyName(agentContext, options.keyId)
    const resolved = await this.resolve(name)
    if (!resolved) throw new Kms.KeyManagementKeyNotFoundError(options.keyId, [this.backend])
    const spec = algorithmForKey(this.backend, options.algorithm, resolved.publicJwk)
    const { message, messageType } = this.message(spec, options.data)
    try {
      const response = await this.request('sign', true, () =>
        this.client.send(
          new SignCommand({
            KeyId: resolved.arn,
            Message: message,
            MessageType: messageType,
            SigningAlgorithm: this.signingAlgorithm(spec),
          }),
        ),
      )
      const signature = response.Signature ?? new Uint8Array()
      return { signature: spec.hash ? ecdsaDerToJose(signature, spec.signatureLength) : new Uint8Array(signature) }
    } catch (error) {
      if (!isGoneAwsKey(error)) throw error
      this.aliases.delete(name)
      throw new Kms.KeyManagementKeyNotFoundError(options.keyId, [this.backend])
    }
  }

  /** Deletes the alias and schedules the key's destruction after the waiting period. */
  public async deleteKey(agentContext: AgentContext, options: Kms.KmsDeleteKeyOptions): Promise<boolean> {
    const name = this.keyName(agentContext, options.keyId)
    const resolved = await this.resolve(name)
    if (!resolved) return false
    await this.request('delete alias', false, () =>
      this.client.send(new DeleteAliasCommand({ AliasName: `alias/${name}` })),
    )
    this.aliases.delete(name)
    await this.scheduleDeletion(resolved.arn)
    return true
  }

  /**
   * Rotation as AWS does it for asymmetric keys: a new key of the same spec, and the alias moved
   * to it. The previous key stays enabled so its public key still verifies old signatures.
   */
  public async rotateKey(agentContext: AgentContext, keyId: string): Promise<Kms.KmsJwkPublic> {
    const name = this.keyName(agentContext, keyId)
    const current = await this.resolve(name)
    if (!current) throw new Kms.KeyManagementKeyNotFoundError(keyId, [this.backend])
    const crv = (current.publicJwk as { crv: string }).crv
    const arn = await this.createKmsKey(KEY_SPECS[crv] as KeySpec, agentContext, keyId)
    await this.request('move alias', false, () =>
      this.client.send(new UpdateAliasCommand({ AliasName: `alias/${name}`, TargetKeyId: arn })),
    )
    this.aliases.delete(name)
    const rotated = await this.resolve(name)
    if (!rotated) throw new Kms.KeyManagementKeyNotFoundError(keyId, [this.backend])
    return withKid(rotated.publicJwk, keyId)
  }

  private keyName(agentContext: AgentContext, keyId: string): string {
    return backendKeyName(this.options, agentContext, keyId)
  }

  /** A new KMS key behind the alias `name`; a lost race for the alias gives the new key back. */
  private async createAliasedKey(agentContext: AgentContext, name: string, keySpec: KeySpec, keyId: string) {
    const arn = await this.createKmsKey(keySpec, agentContext, keyId)
    try {
      await this.request('create alias', false, () =>
        this.client.send(new CreateAliasCommand({ AliasName: `alias/${name}`, TargetKeyId: arn })),
      )
    } catch (error) {
      await this.scheduleDeletion(arn).catch(() => {})
      if (awsErrorName(error) === 'AlreadyExistsException')
        throw new Kms.KeyManagementKeyExistsError(keyId, this.backend)
      throw error
    }
  }

  private async createKmsKey(keySpec: KeySpec, agentContext: AgentContext, keyId: string): Promise<string> {
    const response = await this.request('create key', false, () =>
      this.client.send(
        new CreateKeyCommand({
          KeySpec: keySpec,
          KeyUsage: keySpec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : 'SIGN_VERIFY',
          Description: `attesto ${this.options.role} key ${keyId}`,
          Tags: [
            { TagKey: 'attesto:role', TagValue: this.options.role },
            { TagKey: 'attesto:tenant', TagValue: agentContext.contextCorrelationId.slice(0, 256) },
          ],
        }),
      ),
    )
    const arn = response.KeyMetadata?.Arn
    if (!arn) throw new Kms.KeyManagementError('AWS KMS created a key without an ARN')
    return arn
  }

  private scheduleDeletion(arn: string) {
    return this.request('schedule key deletion', false, () =>
      this.client.send(
        new ScheduleKeyDeletionCommand({ KeyId: arn, PendingWindowInDays: this.options.deletionWindowInDays ?? 7 }),
      ),
    )
  }

  /** The key behind an alias and its public key, cached; null when there is none. */
  private async resolve(name: string): Promise<ResolvedKey | null> {
    const cached = this.aliases.get(name)
    if (cached && Date.now() - cached.readAt < this.aliasTtlMillis) return cached
    try {
      const response = await this.request('get public key', true, () =>
        this.client.send(new GetPublicKeyCommand({ KeyId: `alias/${name}` })),
      )
      if (!response.KeyId || !response.PublicKey) throw new Kms.KeyManagementError('AWS KMS returned no public key')
      const resolved = {
        arn: response.KeyId,
        publicJwk: publicJwkFromSpki(Buffer.from(response.PublicKey)),
        readAt: Date.now(),
      }
      this.aliases.set(name, resolved)
      return resolved
    } catch (error) {
      if (isGoneAwsKey(error)) {
        this.aliases.delete(name)
        return null
      }
      throw error
    }
  }

  private message(spec: RemoteSignatureAlgorithm, data: Uint8Array) {
    if (data.length <= MAX_RAW_MESSAGE_BYTES) return { message: data, messageType: 'RAW' as const }
    if (!spec.hash) {
      throw new Kms.KeyManagementError(
        `AWS KMS signs at most ${MAX_RAW_MESSAGE_BYTES} bytes with Ed25519 (got ${data.length}) (backend ${this.backend})`,
      )
    }
    return { message: createHash(spec.hash).update(data).digest(), messageType: 'DIGEST' as const }
  }

  private signingAlgorithm(spec: RemoteSignatureAlgorithm): SigningAlgorithmSpec {
    if (!spec.hash) return 'ED25519_SHA_512'
    return spec.hash === 'sha384' ? 'ECDSA_SHA_384' : 'ECDSA_SHA_256'
  }

  private request<T>(operation: string, idempotent: boolean, call: () => Promise<T>): Promise<T> {
    return this.caller.call(call, { idempotent, operation })
  }
}
