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
import { p256, p384 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { closeNow, listenOnLoopback, loopbackUrl } from './loopback.js'

// A test double of AWS KMS speaking its JSON 1.1 protocol (POST /, X-Amz-Target:
// TrentService.<Operation>, binary fields in base64, errors as {"__type", "message"}) for the
// operations the backend uses: CreateKey, CreateAlias, UpdateAlias, DeleteAlias, GetPublicKey,
// Sign (RAW and DIGEST, DER signatures), Encrypt and Decrypt (SYMMETRIC_DEFAULT keys, the
// encryption context authenticated; the CiphertextBlob, opaque in AWS, is here the key id, nonce,
// ciphertext and tag) and ScheduleKeyDeletion. It does not check SigV4 signatures, only that one
// is present. Tests and benchmark only; never in production.

type KeySpec = 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_SECG_P256K1' | 'ECC_NIST_EDWARDS25519' | 'SYMMETRIC_DEFAULT'

interface TestKey {
  arn: string
  spec: KeySpec
  /** An asymmetric key's pair (SIGN_VERIFY), or a symmetric key's secret (ENCRYPT_DECRYPT). */
  privateKey?: KeyObject
  publicKey?: KeyObject
  secret?: Buffer
  state: 'Enabled' | 'PendingDeletion'
  deletionWindowInDays?: number
}

const CURVES = {
  ECC_NIST_P256: { namedCurve: 'P-256', noble: p256, hash: 'sha256' },
  ECC_NIST_P384: { namedCurve: 'P-384', noble: p384, hash: 'sha384' },
  ECC_SECG_P256K1: { namedCurve: 'secp256k1', noble: secp256k1, hash: 'sha256' },
} as const

class KmsError extends Error {
  public constructor(
    public readonly type: string,
    message: string,
  ) {
    super(message)
  }
}

export class AwsKmsTestServer {
  public readonly requests: Record<string, number> = {}
  public readonly bodies: string[] = []
  private readonly keys = new Map<string, TestKey>()
  private readonly aliases = new Map<string, string>()
  private throttle = 0
  private server?: http.Server

  public get url(): string {
    return loopbackUrl(this.server, 'AwsKmsTestServer')
  }

  public async start(): Promise<this> {
    this.server = http.createServer((request, response) => {
      let body = ''
      request.on('data', (chunk) => (body += chunk))
      request.on('end', () => {
        this.bodies.push(body)
        const operation = String(request.headers['x-amz-target'] ?? '').replace('TrentService.', '')
        this.requests[operation] = (this.requests[operation] ?? 0) + 1
        try {
          if (!String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256')) {
            throw new KmsError('UnrecognizedClientException', 'missing SigV4 signature')
          }
          if (this.throttle > 0) {
            this.throttle -= 1
            throw new KmsError('ThrottlingException', 'Rate exceeded')
          }
          const result = this.handle(operation, JSON.parse(body || '{}'))
          response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(result))
        } catch (error) {
          const type = error instanceof KmsError ? error.type : 'KMSInternalException'
          response
            .writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type })
            .end(JSON.stringify({ __type: type, message: (error as Error).message }))
        }
      })
    })
    await listenOnLoopback(this.server)
    return this
  }

  public stop(): Promise<void> {
    return closeNow(this.server)
  }

  /** The next `count` requests fail with ThrottlingException. */
  public throttleNext(count: number): void {
    this.throttle = count
  }

  public aliasNames(): string[] {
    return [...this.aliases.keys()]
  }

  public keyState(arn: string): { state: string; deletionWindowInDays?: number } | undefined {
    const key = this.keys.get(arn)
    return key && { state: key.state, deletionWindowInDays: key.deletionWindowInDays }
  }

  private find(keyId: string): TestKey {
    const arn = keyId.startsWith('alias/') ? this.aliases.get(keyId) : keyId
    const key = arn ? (this.keys.get(arn) ?? [...this.keys.values()].find((k) => k.arn.endsWith(`/${arn}`))) : undefined
    if (!key) throw new KmsError('NotFoundException', `Key '${keyId}' does not exist`)
    return key
  }

  private usable(keyId: string): TestKey {
    const key = this.find(keyId)
    if (key.state !== 'Enabled') throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`)
    return key
  }

  private handle(operation: string, input: Record<string, unknown>): unknown {
    switch (operation) {
      case 'CreateKey': {
        const spec = input.KeySpec as KeySpec
        const usage = spec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : 'SIGN_VERIFY'
        if (input.KeyUsage !== usage) throw new KmsError('ValidationException', `KeyUsage must be ${usage}`)
        const pair =
          spec === 'SYMMETRIC_DEFAULT'
            ? { secret: randomBytes(32) }
            : spec === 'ECC_NIST_EDWARDS25519'
              ? generateKeyPairSync('ed25519')
              : CURVES[spec]
                ? generateKeyPairSync('ec', { namedCurve: CURVES[spec].namedCurve })
                : undefined
        if (!pair) throw new KmsError('ValidationException', `Unsupported KeySpec ${spec}`)
        const id = randomUUID()
        const arn = `arn:aws:kms:us-east-1:111122223333:key/${id}`
        this.keys.set(arn, { arn, spec, ...pair, state: 'Enabled' })
        return { KeyMetadata: { KeyId: id, Arn: arn, KeySpec: spec, KeyUsage: usage, KeyState: 'Enabled' } }
      }
      case 'CreateAlias': {
        const alias = String(input.AliasName)
        if (this.aliases.has(alias)) throw new KmsError('AlreadyExistsException', `${alias} already exists`)
        this.aliases.set(alias, this.find(String(input.TargetKeyId)).arn)
        return {}
      }
      case 'UpdateAlias': {
        const alias = String(input.AliasName)
        if (!this.aliases.has(alias)) throw new KmsError('NotFoundException', `${alias} does not exist`)
        this.aliases.set(alias, this.find(String(input.TargetKeyId)).arn)
        return {}
      }
      case 'DeleteAlias': {
        if (!this.aliases.delete(String(input.AliasName))) throw new KmsError('NotFoundException', 'no such alias')
        return {}
      }
      case 'GetPublicKey': {
        const key = this.usable(String(input.KeyId))
        if (!key.publicKey) throw new KmsError('UnsupportedOperationException', `${key.arn} is a symmetric key`)
        const der = key.publicKey.export({ format: 'der', type: 'spki' })
        return { KeyId: key.arn, KeySpec: key.spec, KeyUsage: 'SIGN_VERIFY', PublicKey: der.toString('base64') }
      }
      case 'Sign':
        return this.sign(input)
      case 'Encrypt':
      case 'Decrypt':
        return this.crypt(operation, input)
      case 'ScheduleKeyDeletion': {
        const key = this.find(String(input.KeyId))
        const days = Number(input.PendingWindowInDays ?? 30)
        if (days < 7 || days > 30) throw new KmsError('ValidationException', 'PendingWindowInDays must be 7 to 30')
        key.state = 'PendingDeletion'
        key.deletionWindowInDays = days
        return { KeyId: key.arn, KeyState: 'PendingDeletion', PendingWindowInDays: days }
      }
      default:
        throw new KmsError('UnsupportedOperationException', `${operation} is not implemented by the test server`)
    }
  }

  /** Encrypt and Decrypt under a symmetric key, with the encryption context as authenticated data. */
  private crypt(operation: 'Encrypt' | 'Decrypt', input: Record<string, unknown>): unknown {
    if ((input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT') !== 'SYMMETRIC_DEFAULT') {
      throw new KmsError('ValidationException', 'EncryptionAlgorithm must be SYMMETRIC_DEFAULT')
    }
    const context = Object.entries((input.EncryptionContext ?? {}) as Record<string, string>)
    const aad = Buffer.from(JSON.stringify(context.sort(([a], [b]) => (a < b ? -1 : 1))))
    if (operation === 'Encrypt') {
      const key = this.usable(String(input.KeyId))
      if (!key.secret) throw new KmsError('InvalidKeyUsageException', `${key.arn} is not an ENCRYPT_DECRYPT key`)
      const plaintext = Buffer.from(String(input.Plaintext ?? ''), 'base64')
      if (plaintext.length < 1 || plaintext.length > 4096) throw new KmsError('ValidationException', 'Plaintext size')
      const nonce = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key.secret, nonce).setAAD(aad)
      const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
      const blob = Buffer.concat([Buffer.from(key.arn.slice(-36)), nonce, sealed])
      return { KeyId: key.arn, CiphertextBlob: blob.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }
    }
    const blob = Buffer.from(String(input.CiphertextBlob ?? ''), 'base64')
    if (blob.length < 36 + 12 + 16 + 1) throw new KmsError('InvalidCiphertextException', 'The ciphertext is invalid')
    const key = this.usable(blob.subarray(0, 36).toString())
    if (input.KeyId !== undefined && this.usable(String(input.KeyId)).arn !== key.arn) {
      throw new KmsError('IncorrectKeyException', 'The key ID in the request does not identify the key used to encrypt')
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.secret as Buffer, blob.subarray(36, 48)).setAAD(aad)
      decipher.setAuthTag(blob.subarray(blob.length - 16))
      const plaintext = Buffer.concat([decipher.update(blob.subarray(48, blob.length - 16)), decipher.final()])
      return { KeyId: key.arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }
    } catch {
      throw new KmsError('InvalidCiphertextException', 'The ciphertext or its encryption context is invalid')
    }
  }

  private sign(input: Record<string, unknown>): unknown {
    const key = this.usable(String(input.KeyId))
    if (!key.privateKey) throw new KmsError('InvalidKeyUsageException', `${key.arn} is not a SIGN_VERIFY key`)
    const message = Buffer.from(String(input.Message ?? ''), 'base64')
    const algorithm = String(input.SigningAlgorithm)
    const digest = input.MessageType === 'DIGEST'
    if (!digest && message.length > 4096) throw new KmsError('ValidationException', 'Message exceeds 4096 bytes')
    if (key.spec === 'ECC_NIST_EDWARDS25519') {
      if (algorithm !== 'ED25519_SHA_512' || digest)
        throw new KmsError('InvalidKeyUsageException', 'use ED25519_SHA_512 RAW')
      return {
        KeyId: key.arn,
        SigningAlgorithm: algorithm,
        Signature: sign(null, message, key.privateKey).toString('base64'),
      }
    }
    const curve = CURVES[key.spec as keyof typeof CURVES]
    const expected = curve.hash === 'sha384' ? 'ECDSA_SHA_384' : 'ECDSA_SHA_256'
    if (algorithm !== expected) throw new KmsError('InvalidKeyUsageException', `${key.spec} signs with ${expected}`)
    let signature: Buffer
    if (digest) {
      const secret = Buffer.from(key.privateKey.export({ format: 'jwk' }).d as string, 'base64url')
      signature = Buffer.from(curve.noble.sign(message, secret, { prehash: false, format: 'der' }))
    } else {
      signature = sign(curve.hash, message, { key: key.privateKey, dsaEncoding: 'der' })
    }
    return { KeyId: key.arn, SigningAlgorithm: algorithm, Signature: signature.toString('base64') }
  }
}
