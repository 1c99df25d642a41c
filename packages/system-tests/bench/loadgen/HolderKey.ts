import { generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto'
import { type JsonObject, signEs256Jwt } from './compactJwt.js'

/** A wallet's P-256 key (node:crypto), to which a credential is bound and which signs proofs. */
export class HolderKey {
  public readonly publicJwk: JsonWebKey
  private readonly privateKey: KeyObject

  public constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    this.privateKey = privateKey
    const { kty, crv, x, y } = publicKey.export({ format: 'jwk' })
    this.publicJwk = { kty, crv, x, y }
  }

  public sign(header: JsonObject, payload: JsonObject): string {
    return signEs256Jwt(this.privateKey, header, payload)
  }

  /** Whether `jwk` is this key's public key. */
  public matches(jwk: JsonObject | undefined): boolean {
    return jwk?.kty === 'EC' && jwk.crv === 'P-256' && jwk.x === this.publicJwk.x && jwk.y === this.publicJwk.y
  }
}
