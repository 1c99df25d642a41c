import { createHash } from 'node:crypto'
import { type AgentContext, Kms } from '@credo-ts/core'
import { decryptWithEcdhEsSecret, directEcdhEsOf, ECDH_ES_CONTENT_ENCRYPTIONS } from '../ecdhEs.js'
import type { KeyWrapping } from '../KeyWrapping.js'
import { KmsUnavailableError } from '../KmsUnavailableError.js'
import { backendKeyName, type KeyNamespace } from '../keyNaming.js'
import { createRemoteKey, localRandomBytes, localVerify, notOffered, withKid } from '../remoteBackend.js'
import { type ResilienceOptions, ResilientCaller } from '../resilience/ResilientCaller.js'
import { algorithmForKey, remoteOperationSupported } from '../signatureAlgorithms.js'
import { Pkcs11KeyWrapping } from './Pkcs11KeyWrapping.js'
import { Pkcs11Token, type Pkcs11TokenOptions } from './Pkcs11Token.js'
import type { Handle, Pkcs11Api } from './pkcs11Api.js'
import { ecPointOfPublicJwk } from './pkcs11Curves.js'
import { isStaleHandle, isTransientPkcs11Error } from './pkcs11Errors.js'
import { type TokenKey, TokenKeys } from './TokenKeys.js'
import { probeCapabilities, type TokenCapabilities } from './tokenCapabilities.js'
import { deriveSharedSecret, signOnToken } from './tokenOperations.js'

export interface Pkcs11KeyManagementServiceOptions extends Pkcs11TokenOptions, KeyNamespace, ResilienceOptions {
  /** How long a key found on the token is trusted before it is looked up again (default 60 s). */
  keyTtlSeconds?: number
}

/**
 * Credo key management on a PKCS#11 token (an HSM through its vendor's module, or SoftHSM). Keys
 * are generated in the token (sensitive, never extractable, token objects) and labelled
 * `<prefix>-<role>-<tenant>-<keyId>`, so a lookup in another role or tenant finds nothing.
 * ES256/ES384 sign with CKM_ECDSA over a digest made in node (r||s comes back), EdDSA with
 * CKM_EDDSA; ECDH-ES decryption (direct_post.jwt responses) agrees on the secret in the token
 * (CKM_ECDH1_DERIVE) and runs the Concat KDF and AES-GCM in node; keys made outside are wrapped
 * with CKM_AES_GCM under an AES key per tenant ({@link Pkcs11KeyWrapping}). What the token offers is found
 * and self-tested at {@link Pkcs11KeyManagementService.start}; operations it lacks are refused
 * from then on (`isOperationSupported`), never half-way through a flow. Calls share the other
 * remote backends' deadline, retries and circuit breaker.
 */
export class Pkcs11KeyManagementService implements Kms.KeyManagementService {
  public readonly backend = 'pkcs11'
  // As every remote backend does them (remoteBackend.ts).
  public readonly verify = localVerify(this.backend, (agentContext, keyId) => this.getPublicKey(agentContext, keyId))
  public readonly randomBytes = localRandomBytes
  public readonly importKey = notOffered(this.backend, 'importing keys (keys are generated in the token)')
  public readonly encrypt = notOffered(this.backend, 'encryption')
  /** Key wrapping, when the token offers CKM_AES_GCM (absent otherwise: `keyWrappingOf` finds none). */
  public readonly wrapKey?: KeyWrapping['wrapKey']
  public readonly unwrapKey?: KeyWrapping['unwrapKey']
  private readonly caller: ResilientCaller
  private readonly keys: TokenKeys

  private constructor(
    private readonly options: Pkcs11KeyManagementServiceOptions,
    private readonly token: Pkcs11Token,
    /** What the token offers, as found at start. */
    public readonly capabilities: TokenCapabilities,
  ) {
    this.caller = new ResilientCaller(this.backend, isTransientPkcs11Error, options)
    this.keys = new TokenKeys({
      request: (operation, idempotent, task) => this.request(operation, idempotent, task),
      keyTtlMillis: (options.keyTtlSeconds ?? 60) * 1000,
      agreement: capabilities.agreement,
    })
    if (capabilities.wrapping !== null) {
      const wrapping = new Pkcs11KeyWrapping({
        request: (operation, idempotent, task) => this.request(operation, idempotent, task),
        namespace: options,
        gcmLayout: capabilities.wrapping,
      })
      this.wrapKey = wrapping.wrapKey.bind(wrapping)
      this.unwrapKey = wrapping.unwrapKey.bind(wrapping)
    }
  }

  /**
   * Loads the module (pkcs11js is imported now, not before), finds the token, logs in, and finds
   * and self-tests what the token offers. Fails with an error saying what is wrong: no such
   * token, a wrong PIN, no ECDSA, a key template the token refuses.
   */
  public static async start(options: Pkcs11KeyManagementServiceOptions): Promise<Pkcs11KeyManagementService> {
    const token = await Pkcs11Token.open(options)
    try {
      return new Pkcs11KeyManagementService(options, token, await probeCapabilities(token))
    } catch (error) {
      token.close()
      throw error
    }
  }

  /** The circuit breaker's state (`closed`, `open`, `half-open`), for metrics. */
  public get circuitState() {
    return this.caller.circuitState
  }

  public isOperationSupported(_agentContext: AgentContext, operation: Kms.KmsOperation): boolean {
    if (operation.operation !== 'decrypt') return remoteOperationSupported(operation, this.capabilities.curves)
    return (
      this.capabilities.agreement &&
      operation.keyAgreement?.algorithm === 'ECDH-ES' &&
      operation.decryption.algorithm in ECDH_ES_CONTENT_ENCRYPTIONS
    )
  }

  public createKey<Type extends Kms.KmsCreateKeyType>(
    agentContext: AgentContext,
    options: Kms.KmsCreateKeyOptions<Type>,
  ): Promise<Kms.KmsCreateKeyReturn<Type>> {
    return createRemoteKey(
      {
        backend: this.backend,
        service: 'The PKCS#11 token',
        keyTypes: this.capabilities.curves,
        nameOf: (keyId) => this.keyName(agentContext, keyId),
        exists: async (name) => Boolean(await this.keys.find(name)),
        create: (name, curve, keyId) => this.keys.generate(name, curve, keyId),
        publicKeyOf: async (name) => (await this.keys.find(name))?.publicJwk ?? null,
      },
      options,
    )
  }

  public async getPublicKey(agentContext: AgentContext, keyId: string): Promise<Kms.KmsJwkPublic | null> {
    const key = await this.keys.find(this.keyName(agentContext, keyId))
    return key ? withKid(key.publicJwk, keyId) : null
  }

  public async sign(agentContext: AgentContext, options: Kms.KmsSignOptions): Promise<Kms.KmsSignReturn> {
    const signature = await this.withKey(agentContext, options.keyId, (key) => {
      const spec = algorithmForKey(this.backend, options.algorithm, key.publicJwk)
      const input = spec.hash ? createHash(spec.hash).update(options.data).digest() : Buffer.from(options.data)
      return this.request('sign', true, (api, session) => signOnToken(api, session, key.curve, key.privateKey, input))
    })
    return { signature: new Uint8Array(signature) }
  }

  /**
   * Direct ECDH-ES with A128GCM or A256GCM (encrypted OID4VP responses), the same contract as the
   * local backend's: the token agrees on the secret with the sender's key, node derives the
   * content key and decrypts. Anything else is refused.
   */
  public async decrypt(agentContext: AgentContext, options: Kms.KmsDecryptOptions): Promise<Kms.KmsDecryptReturn> {
    const direct = directEcdhEsOf(options)
    if (!direct || !this.capabilities.agreement) {
      const agreement = options.key.keyAgreement?.algorithm ?? 'none'
      const what = `decryption ${options.decryption.algorithm} with key agreement ${agreement}`
      throw new Kms.KeyManagementAlgorithmNotSupportedError(what, this.backend)
    }
    return this.withKey(agentContext, direct.keyId, async (key) => {
      if (!key.curve.agreement) {
        throw new Kms.KeyManagementError(`Key ${direct.keyId} cannot agree on keys (backend ${this.backend})`)
      }
      try {
        const point = ecPointOfPublicJwk(key.curve, direct.senderPublicJwk)
        const secret = await this.request('derive', true, (api, session) =>
          deriveSharedSecret(api, this.token.addon, session, key.curve, key.privateKey, point),
        )
        return { data: new Uint8Array(decryptWithEcdhEsSecret(secret, direct.content)) }
      } catch (error) {
        if (error instanceof KmsUnavailableError || isStaleHandle(error)) throw error
        throw new Kms.KeyManagementError('Error decrypting', { cause: error as Error })
      }
    })
  }

  /** Destroys the key pair (the private and the public object). */
  public deleteKey(agentContext: AgentContext, options: Kms.KmsDeleteKeyOptions): Promise<boolean> {
    return this.keys.destroy(this.keyName(agentContext, options.keyId))
  }

  /** Closes the sessions and gives the module back. */
  public close(): void {
    this.token.close()
  }

  private keyName(agentContext: AgentContext, keyId: string): string {
    return backendKeyName(this.options, agentContext, keyId)
  }

  /**
   * `task` with the key (not found: a typed error). A handle that went stale (the key was deleted,
   * perhaps by another instance) is looked up once more.
   */
  private async withKey<T>(agentContext: AgentContext, keyId: string, task: (key: TokenKey) => Promise<T>): Promise<T> {
    const name = this.keyName(agentContext, keyId)
    for (let attempt = 1; ; attempt++) {
      const key = await this.keys.find(name)
      if (!key) throw new Kms.KeyManagementKeyNotFoundError(keyId, [this.backend])
      try {
        return await task(key)
      } catch (error) {
        if (!isStaleHandle(error) || attempt > 1) throw error
        this.keys.forget(name)
      }
    }
  }

  private request<T>(
    operation: string,
    idempotent: boolean,
    task: (api: Pkcs11Api, session: Handle) => T | Promise<T>,
  ): Promise<T> {
    return this.caller.call(() => this.token.use((session) => task(this.token.api, session)), {
      idempotent,
      operation,
    })
  }
}
