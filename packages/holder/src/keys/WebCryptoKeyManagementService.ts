import { type AgentContext, Kms } from '@credo-ts/core'
import type { CryptoKeyStore, UsableKey } from './CryptoKeyStore.js'
import { ECDH_ES_CONTENT_ENCRYPTIONS, encryptEcdhEs } from './ecdhEsEncrypt.js'
import { CREATED_CURVES, generatePrivateJwk, SIGNATURES, verifySignature } from './webCryptoKeys.js'

/**
 * Credo's key management on WebCrypto (`globalThis.crypto`, the same in node and browsers): the
 * wallet's keys are EC (P-256, P-384, P-521), Ed25519 or X25519; it signs (ES256/384/512, EdDSA),
 * agrees keys for direct ECDH-ES with A128GCM or A256GCM (encrypted presentation responses), and
 * verifies EC, Ed25519 and RSA signatures. Keys are used only as non-extractable `CryptoKey`s; the
 * {@link CryptoKeyStore} decides where they live (IndexedDB in a browser, the sealed storage in node).
 *
 * A key pair is generated once, exported once to the store, and from then on imported as
 * non-extractable keys of the same pair: ECDSA for signatures and ECDH for agreement (WebCrypto
 * binds a key to one algorithm, and Credo's ephemeral keys for response encryption come from the
 * same `createKey`).
 */
export class WebCryptoKeyManagementService implements Kms.KeyManagementService {
  public readonly backend = 'local'

  public constructor(private readonly keys: CryptoKeyStore) {}

  public isOperationSupported(_: AgentContext, operation: Kms.KmsOperation): boolean {
    switch (operation.operation) {
      case 'createKey':
        return 'crv' in operation.type && CREATED_CURVES.has(operation.type.crv)
      case 'sign':
        return operation.algorithm in SIGNATURES && SIGNATURES[operation.algorithm]?.kty !== 'RSA'
      case 'verify':
        return operation.algorithm in SIGNATURES
      case 'encrypt':
        return (
          operation.keyAgreement?.algorithm === 'ECDH-ES' &&
          ECDH_ES_CONTENT_ENCRYPTIONS.includes(operation.encryption.algorithm)
        )
      case 'importKey':
        return 'crv' in operation.privateJwk && CREATED_CURVES.has(operation.privateJwk.crv)
      case 'deleteKey':
      case 'randomBytes':
        return true
      default:
        return false
    }
  }

  public async getPublicKey(agentContext: AgentContext, keyId: string): Promise<Kms.KmsJwkPublic | null> {
    return (await this.keys.get(agentContext, keyId))?.publicJwk ?? null
  }

  public async createKey<Type extends Kms.KmsCreateKeyType>(
    agentContext: AgentContext,
    options: Kms.KmsCreateKeyOptions<Type>,
  ): Promise<Kms.KmsCreateKeyReturn<Type>> {
    const type = options.type as Kms.KmsCreateKeyType
    if (!('crv' in type) || !CREATED_CURVES.has(type.crv)) {
      throw new Kms.KeyManagementAlgorithmNotSupportedError(`key type ${JSON.stringify(type)}`, this.backend)
    }
    const keyId = options.keyId ?? globalThis.crypto.randomUUID()
    if (await this.keys.get(agentContext, keyId)) throw new Kms.KeyManagementKeyExistsError(keyId, this.backend)
    const { publicJwk } = await this.keys.add(agentContext, keyId, await generatePrivateJwk(type.crv))
    return { keyId, publicJwk: { ...publicJwk, kid: keyId } } as unknown as Kms.KmsCreateKeyReturn<Type>
  }

  /**
   * Keeps a private key made elsewhere (a wallet backup's): under its `kid` when it has one. Like
   * a created key, it is used from then on only as non-extractable WebCrypto keys.
   */
  public async importKey<Jwk extends Kms.KmsJwkPrivate>(
    agentContext: AgentContext,
    options: Kms.KmsImportKeyOptions<Jwk>,
  ): Promise<Kms.KmsImportKeyReturn<Jwk>> {
    const { kid, ...privateJwk } = options.privateJwk as JsonWebKey & { kid?: string }
    if (!privateJwk.crv || !CREATED_CURVES.has(privateJwk.crv) || !privateJwk.d) {
      throw new Kms.KeyManagementAlgorithmNotSupportedError(`importing a ${privateJwk.kty} key`, this.backend)
    }
    const keyId = kid ?? globalThis.crypto.randomUUID()
    if (await this.keys.get(agentContext, keyId)) throw new Kms.KeyManagementKeyExistsError(keyId, this.backend)
    const { publicJwk } = await this.keys.add(agentContext, keyId, privateJwk)
    return { keyId, publicJwk: { ...publicJwk, kid: keyId } } as unknown as Kms.KmsImportKeyReturn<Jwk>
  }

  /** The private JWK of a key, where the store can give it (node; never a browser's non-extractable keys). */
  public exportPrivateJwk(agentContext: AgentContext, keyId: string): Promise<JsonWebKey | null> | undefined {
    return this.keys.exportPrivateJwk?.(agentContext, keyId)
  }

  public deleteKey(agentContext: AgentContext, options: Kms.KmsDeleteKeyOptions): Promise<boolean> {
    return this.keys.delete(agentContext, options.keyId)
  }

  public async sign(agentContext: AgentContext, options: Kms.KmsSignOptions): Promise<Kms.KmsSignReturn> {
    const spec = SIGNATURES[options.algorithm]
    const key = await this.asserted(agentContext, options.keyId)
    if (!spec || !key.signing || spec.crv !== (key.publicJwk as { crv?: string }).crv) {
      throw new Kms.KeyManagementAlgorithmNotSupportedError(`${options.algorithm} with this key`, this.backend)
    }
    return { signature: new Uint8Array(await subtle().sign(spec.sign, key.signing, options.data as BufferSource)) }
  }

  public async verify(agentContext: AgentContext, options: Kms.KmsVerifyOptions): Promise<Kms.KmsVerifyReturn> {
    const jwk = options.key.publicJwk ?? (await this.asserted(agentContext, options.key.keyId as string)).publicJwk
    const verified = await verifySignature(jwk as JsonWebKey, options.algorithm, options.signature, options.data)
    return verified ? { verified: true, publicJwk: jwk as Kms.KmsJwkPublic } : { verified: false }
  }

  public async encrypt(agentContext: AgentContext, options: Kms.KmsEncryptOptions): Promise<Kms.KmsEncryptReturn> {
    const agreement = options.key.keyAgreement
    if (agreement?.algorithm !== 'ECDH-ES' || !agreement.keyId) {
      throw new Kms.KeyManagementAlgorithmNotSupportedError('encryption other than direct ECDH-ES', this.backend)
    }
    const key = await this.asserted(agentContext, agreement.keyId)
    if (!key.agreement) throw new Kms.KeyManagementAlgorithmNotSupportedError('ECDH-ES with this key', this.backend)
    const encryption = options.encryption as { algorithm: string; aad?: Uint8Array }
    return encryptEcdhEs({
      privateKey: key.agreement,
      recipientPublicJwk: agreement.externalPublicJwk as JsonWebKey,
      enc: encryption.algorithm,
      apu: agreement.apu,
      apv: agreement.apv,
      aad: encryption.aad,
      data: options.data,
    })
  }

  public async decrypt(): Promise<Kms.KmsDecryptReturn> {
    throw new Kms.KeyManagementAlgorithmNotSupportedError('decryption', this.backend)
  }

  public randomBytes(_: AgentContext, options: Kms.KmsRandomBytesOptions): Kms.KmsRandomBytesReturn {
    return globalThis.crypto.getRandomValues(new Uint8Array(options.length))
  }

  private async asserted(agentContext: AgentContext, keyId: string): Promise<UsableKey> {
    const key = await this.keys.get(agentContext, keyId)
    if (!key) throw new Kms.KeyManagementKeyNotFoundError(keyId, [this.backend])
    return key
  }
}

const subtle = () => globalThis.crypto.subtle
