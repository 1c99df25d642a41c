import { createPublicKey } from 'node:crypto'
import { Kms } from '@credo-ts/core'
import { type Attribute, CKA, CKK, CKM, CKO } from './pkcs11Api.js'

/** A curve as the token knows it: how its keys are made and used. */
export interface Pkcs11Curve {
  kty: 'EC' | 'OKP'
  crv: 'P-256' | 'P-384' | 'Ed25519'
  /** CKA_EC_PARAMS: the DER-encoded curve OID. */
  ecParams: Buffer
  keyType: number
  generate: number
  sign: number
  /** Bytes of one coordinate (and of the ECDH shared secret). */
  coordinateBytes: number
  /** Whether its keys can do ECDH-ES (CKM_ECDH1_DERIVE). */
  agreement: boolean
}

export const PKCS11_CURVES: Record<Pkcs11Curve['crv'], Pkcs11Curve> = {
  'P-256': {
    kty: 'EC',
    crv: 'P-256',
    ecParams: Buffer.from('06082a8648ce3d030107', 'hex'),
    keyType: CKK.EC,
    generate: CKM.EC_KEY_PAIR_GEN,
    sign: CKM.ECDSA,
    coordinateBytes: 32,
    agreement: true,
  },
  'P-384': {
    kty: 'EC',
    crv: 'P-384',
    ecParams: Buffer.from('06052b81040022', 'hex'),
    keyType: CKK.EC,
    generate: CKM.EC_KEY_PAIR_GEN,
    sign: CKM.ECDSA,
    coordinateBytes: 48,
    agreement: true,
  },
  Ed25519: {
    kty: 'OKP',
    crv: 'Ed25519',
    ecParams: Buffer.from('06032b6570', 'hex'),
    keyType: CKK.EC_EDWARDS,
    generate: CKM.EC_EDWARDS_KEY_PAIR_GEN,
    sign: CKM.EDDSA,
    coordinateBytes: 32,
    agreement: false,
  },
}

/** The curve whose CKA_EC_PARAMS these are, if it is one of ours. */
export function curveOfParams(ecParams: Buffer): Pkcs11Curve | undefined {
  return Object.values(PKCS11_CURVES).find((curve) => curve.ecParams.equals(ecParams))
}

export interface KeyPairTemplates {
  publicKey: Attribute[]
  privateKey: Attribute[]
}

/**
 * What keeps a key in the token: only a logged-in user sees it, its value is never readable nor
 * wrapped out, and its attributes (its label: its role and tenant) cannot change.
 */
export const KEPT_IN_TOKEN: Attribute[] = [
  { type: CKA.PRIVATE, value: true },
  { type: CKA.SENSITIVE, value: true },
  { type: CKA.EXTRACTABLE, value: false },
  { type: CKA.MODIFIABLE, value: false },
]

/**
 * The templates of a key pair generated in the token: the private key sensitive, never
 * extractable and not modifiable (its label, hence its role and tenant, cannot be changed), for
 * signing and, on curves and tokens that offer it, key agreement. `token` false makes session
 * objects (the start-up self-test).
 */
export function keyPairTemplates(
  curve: Pkcs11Curve,
  label: string,
  id: Buffer,
  options: { token: boolean; agreement: boolean },
): KeyPairTemplates {
  const common: Attribute[] = [
    { type: CKA.KEY_TYPE, value: curve.keyType },
    { type: CKA.TOKEN, value: options.token },
    { type: CKA.LABEL, value: label },
    { type: CKA.ID, value: id },
  ]
  return {
    publicKey: [
      { type: CKA.CLASS, value: CKO.PUBLIC_KEY },
      ...common,
      { type: CKA.EC_PARAMS, value: curve.ecParams },
      { type: CKA.VERIFY, value: true },
    ],
    privateKey: [
      { type: CKA.CLASS, value: CKO.PRIVATE_KEY },
      ...common,
      ...KEPT_IN_TOKEN,
      { type: CKA.SIGN, value: true },
      { type: CKA.DERIVE, value: options.agreement && curve.agreement },
    ],
  }
}

/**
 * The template of the ECDH shared secret Z: a session object, readable by this session only, that
 * the Concat KDF of ECDH-ES is computed from in node and that is destroyed at once.
 */
export function sharedSecretTemplate(curve: Pkcs11Curve): Attribute[] {
  return [
    { type: CKA.CLASS, value: CKO.SECRET_KEY },
    { type: CKA.KEY_TYPE, value: CKK.GENERIC_SECRET },
    { type: CKA.TOKEN, value: false },
    { type: CKA.SENSITIVE, value: false },
    { type: CKA.EXTRACTABLE, value: true },
    { type: CKA.VALUE_LEN, value: curve.coordinateBytes },
  ]
}

/** The raw point of CKA_EC_POINT, which tokens give DER-wrapped (an OCTET STRING) or not. */
function rawPoint(curve: Pkcs11Curve, ecPoint: Buffer): Buffer {
  const rawLength = curve.kty === 'EC' ? 1 + 2 * curve.coordinateBytes : curve.coordinateBytes
  if (ecPoint.length === rawLength + 2 && ecPoint[0] === 0x04 && ecPoint[1] === rawLength) return ecPoint.subarray(2)
  if (ecPoint.length === rawLength) return ecPoint
  throw new Kms.KeyManagementError(
    `The token returned a ${curve.crv} public key of unexpected length ${ecPoint.length}`,
  )
}

/** The public JWK (without `kid`) of a token key's CKA_EC_POINT; the point is checked to be on its curve. */
export function publicJwkFromEcPoint(curve: Pkcs11Curve, ecPoint: Buffer): Kms.KmsJwkPublic {
  const point = rawPoint(curve, ecPoint)
  const jwk =
    curve.kty === 'OKP'
      ? { kty: 'OKP', crv: curve.crv, x: point.toString('base64url') }
      : {
          kty: 'EC',
          crv: curve.crv,
          x: point.subarray(1, 1 + curve.coordinateBytes).toString('base64url'),
          y: point.subarray(1 + curve.coordinateBytes).toString('base64url'),
        }
  createPublicKey({ format: 'jwk', key: jwk })
  return jwk as Kms.KmsJwkPublic
}

/**
 * The uncompressed point (0x04 || x || y) of a sender's public EC JWK on `curve`, for
 * CKM_ECDH1_DERIVE. Throws unless it is a valid public key on that curve (node:crypto checks the
 * point), so the token never sees an invalid-curve point.
 */
export function ecPointOfPublicJwk(curve: Pkcs11Curve, jwk: object): Buffer {
  const { kty, crv } = jwk as { kty?: string; crv?: string }
  if (kty !== 'EC' || crv !== curve.crv || 'd' in jwk) {
    throw new Kms.KeyManagementError(`The sender's key is not a public ${curve.crv} key`)
  }
  const key = createPublicKey({ format: 'jwk', key: jwk as import('node:crypto').JsonWebKey })
  const { x, y } = key.export({ format: 'jwk' }) as { x: string; y: string }
  return Buffer.concat([Buffer.from([0x04]), Buffer.from(x, 'base64url'), Buffer.from(y, 'base64url')])
}
