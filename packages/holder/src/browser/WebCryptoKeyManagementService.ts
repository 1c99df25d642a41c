import { type AgentContext, Kms } from '@credo-ts/core'
import { ECDH_ES_CONTENT_ENCRYPTIONS, encryptEcdhEs } from './ecdhEsEncrypt.js'
import { committed, KEYS, requestOf } from './indexedDb.js'

/** A key as IndexedDB keeps it: CryptoKeys, structured-cloned, never extractable. */
interface StoredKey {
  walletId: string
  keyId: string
  publicJwk: Kms.KmsJwkPublicEc
  /** ECDSA, for signatures. */
  signing: CryptoKey
  /** ECDH on the same key pair, for ECDH-ES (encrypted OID4VP responses). */
  agreement: CryptoKey
}

const CURVES = new Set(['P-256', 'P-384', 'P-521'])
const SIGNATURES: Record<string, { crv: string; hash: string }> = {
  ES256: { crv: 'P-256', hash: 'SHA-256' },
  ES384: { crv: 'P-384', hash: 'SHA-384' },
  ES512: { crv: 'P-521', hash: 'SHA-512' },
}
const subtle = () => globalThis.crypto.subtle

/**
 * Credo's key management on WebCrypto, for the browser: EC keys (P-256, P-384, P-521) live as
 * non-extractable `CryptoKey`s in the wallet's IndexedDB database; the page can sign with them
 * (ES256/384/512) and agree keys (ECDH-ES with A128GCM or A256GCM, for encrypted presentation
 * responses), never read them. Verification takes EC public keys (and Ed25519 where the browser
 * has it). Keys of one wallet are apart from another's by wallet id.
 *
 * A key pair is generated once in memory, imported as a non-extractable ECDSA key and as a
 * non-extractable ECDH key, and the exported form is overwritten: WebCrypto binds a key to one
 * algorithm, and Credo's ephemeral keys for response encryption come from the same `createKey`.
 */
export class WebCryptoKeyManagementService implements Kms.KeyManagementService {
  public readonly backend = 'local'

  public constructor(
    private readonly database: IDBDatabase,
    private readonly walletId: string,
  ) {}

  public isOperationSupported(_: AgentContext, operation: Kms.KmsOperation): boolean {
    switch (operation.operation) {
      case 'createKey':
        return operation.type.kty === 'EC' && CURVES.has(operation.type.crv)
      case 'sign':
        return operation.algorithm in SIGNATURES
      case 'verify':
        return operation.algorithm in SIGNATURES || operation.algorithm === 'EdDSA' || operation.algorithm === 'Ed25519'
      case 'encrypt':
        return (
          operation.keyAgreement?.algorithm === 'ECDH-ES' &&
          ECDH_ES_CONTENT_ENCRYPTIONS.includes(operation.encryption.algorithm)
        )
      case 'deleteKey':
      case 'randomBytes':
        return true
      default:
        return false
    }
  }

  public async getPublicKey(_: AgentContext, keyId: string): Promise<Kms.KmsJwkPublic | null> {
    return (await this.stored(keyId))?.publicJwk ?? null
  }

  public async createKey<Type extends Kms.KmsCreateKeyType>(
    _: AgentContext,
    options: Kms.KmsCreateKeyOptions<Type>,
  ): Promise<Kms.KmsCreateKeyReturn<Type>> {
    const type = options.type as Kms.KmsCreateKeyType
    if (type.kty !== 'EC' || !CURVES.has(type.crv)) {
      throw new Kms.KeyManagementAlgorithmNotSupportedError(`key type ${JSON.stringify(type)}`, this.backend)
    }
    const keyId = options.keyId ?? globalThis.crypto.randomUUID()
    const stored = await generateKey(this.walletId, keyId, type.crv)
    const transaction = this.database.transaction(KEYS, 'readwrite')
    const done = committed(transaction)
    transaction.objectStore(KEYS).add(stored)
    await done.catch((error: unknown) => {
      throw new Kms.KeyManagementError(`Key ${keyId} could not be stored`, { cause: error as Error })
    })
    return { keyId, publicJwk: { ...stored.publicJwk, kid: keyId } } as unknown as Kms.KmsCreateKeyReturn<Type>
  }

  public async importKey<Jwk extends Kms.KmsJwkPrivate>(): Promise<Kms.KmsImportKeyReturn<Jwk>> {
    throw new Kms.KeyManagementAlgorithmNotSupportedError('importing private keys', this.backend)
  }

  public async deleteKey(_: AgentContext, options: Kms.KmsDeleteKeyOptions): Promise<boolean> {
    if (!(await this.stored(options.keyId))) return false
    const transaction = this.database.transaction(KEYS, 'readwrite')
    const done = committed(transaction)
    transaction.objectStore(KEYS).delete([this.walletId, options.keyId])
    await done
    return true
  }

  public async sign(_: AgentContext, options: Kms.KmsSignOptions): Promise<Kms.KmsSignReturn> {
    const signature = SIGNATURES[options.algorithm]
    const key = await this.asserted(options.keyId)
    if (!signature || signature.crv !== key.publicJwk.crv) {
      throw new Kms.KeyManagementAlgorithmNotSupportedError(`${options.algorithm} with this key`, this.backend)
    }
    const bytes = await subtle().sign(
      { name: 'ECDSA', hash: signature.hash },
      key.signing,
      options.data as BufferSource,
    )
    return { signature: new Uint8Array(bytes) }
  }

  public async verify(_: AgentContext, options: Kms.KmsVerifyOptions): Promise<Kms.KmsVerifyReturn> {
    const jwk = options.key.publicJwk ?? (await this.asserted(options.key.keyId as string)).publicJwk
    const verified = await verifySignature(jwk as JsonWebKey, options.algorithm, options.signature, options.data)
    return verified ? { verified: true, publicJwk: jwk as Kms.KmsJwkPublic } : { verified: false }
  }

  public async encrypt(_: AgentContext, options: Kms.KmsEncryptOptions): Promise<Kms.KmsEncryptReturn> {
    const agreement = options.key.keyAgreement
    if (agreement?.algorithm !== 'ECDH-ES' || !agreement.keyId) {
      throw new Kms.KeyManagementAlgorithmNotSupportedError('encryption other than direct ECDH-ES', this.backend)
    }
    const key = await this.asserted(agreement.keyId)
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

  private async stored(keyId: string): Promise<StoredKey | undefined> {
    const store = this.database.transaction(KEYS, 'readonly').objectStore(KEYS)
    return (await requestOf(store.get([this.walletId, keyId]))) as StoredKey | undefined
  }

  private async asserted(keyId: string): Promise<StoredKey> {
    const key = await this.stored(keyId)
    if (!key) throw new Kms.KeyManagementKeyNotFoundError(keyId, [this.backend])
    return key
  }
}

async function generateKey(walletId: string, keyId: string, crv: string): Promise<StoredKey> {
  const pair = await subtle().generateKey({ name: 'ECDSA', namedCurve: crv }, true, ['sign', 'verify'])
  const pkcs8 = new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey))
  try {
    const signing = await subtle().importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: crv }, false, ['sign'])
    const agreement = await subtle().importKey('pkcs8', pkcs8, { name: 'ECDH', namedCurve: crv }, false, ['deriveBits'])
    const { x, y } = await subtle().exportKey('jwk', pair.publicKey)
    const publicJwk = { kty: 'EC', crv, x, y } as Kms.KmsJwkPublicEc
    return { walletId, keyId, publicJwk, signing, agreement }
  } finally {
    pkcs8.fill(0)
  }
}

async function verifySignature(jwk: JsonWebKey, algorithm: string, signature: Uint8Array, data: Uint8Array) {
  const ecdsa = SIGNATURES[algorithm]
  const { kty, crv, x, y } = jwk
  const params = ecdsa ? { name: 'ECDSA', namedCurve: ecdsa.crv } : { name: 'Ed25519' }
  if (ecdsa ? crv !== ecdsa.crv : crv !== 'Ed25519') {
    throw new Kms.KeyManagementAlgorithmNotSupportedError(`${algorithm} with a ${crv} key`, 'local')
  }
  const key = await subtle().importKey('jwk', { kty, crv, x, ...(y ? { y } : {}) }, params, false, ['verify'])
  const verifyParams = ecdsa ? { name: 'ECDSA', hash: ecdsa.hash } : { name: 'Ed25519' }
  return subtle().verify(verifyParams, key, signature as BufferSource, data as BufferSource)
}
