import { createHash, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, verify } from 'node:crypto'
import { Kms } from '@credo-ts/core'
import { REMOTE_SIGNATURE_ALGORITHMS } from '../signatureAlgorithms.js'
import type { Pkcs11Token } from './Pkcs11Token.js'
import { CKA, CKF, CKM } from './pkcs11Api.js'
import {
  ecPointOfPublicJwk,
  keyPairTemplates,
  PKCS11_CURVES,
  type Pkcs11Curve,
  publicJwkFromEcPoint,
} from './pkcs11Curves.js'
import { pkcs11ErrorName } from './pkcs11Errors.js'
import {
  attribute,
  decryptOnToken,
  deriveSharedSecret,
  encryptOnToken,
  generateKeyPair,
  generateWrappingKey,
  signOnToken,
  wrappingKeyTemplate,
} from './tokenOperations.js'

/** What the backend offers on a token, found at start. */
export interface TokenCapabilities {
  /** The curves whose keys it creates and signs with (always P-256). */
  curves: Partial<Record<Pkcs11Curve['crv'], Pkcs11Curve>>
  /** Whether ECDH-ES decryption (CKM_ECDH1_DERIVE) works with its EC keys. */
  agreement: boolean
  /**
   * Key wrapping (CKM_AES_GCM under an AES key of the token): the pkcs11js layout of CK_GCM_PARAMS
   * the token took at the self-test, or null when it offers none.
   */
  wrapping: number | null
  /** What the token lacks or refused, one sentence each (logged at start). */
  missing: string[]
}

/** The digest signed on `curve` (ES256 on P-256, ES384 on P-384; none for EdDSA). */
const hashOf = (curve: Pkcs11Curve) =>
  Object.values(REMOTE_SIGNATURE_ALGORITHMS).find((algorithm) => algorithm.crv === curve.crv)?.hash ?? null

/**
 * One round of what the backend will do with `curve`, on session objects that vanish with the
 * session: generate a key pair with the production template, sign, verify the signature with
 * node:crypto, and (if `agreement`) agree on a secret with a node key and compare. Throws what the
 * token refused.
 */
async function selfTest(token: Pkcs11Token, curve: Pkcs11Curve, agreement: boolean): Promise<void> {
  const { api, addon } = token
  await token.use(async (session) => {
    const templates = keyPairTemplates(curve, 'attesto-self-test', randomBytes(16), { token: false, agreement })
    const keys = await generateKeyPair(api, session, curve, templates)
    try {
      const publicJwk = publicJwkFromEcPoint(curve, attribute(api, session, keys.publicKey, CKA.EC_POINT))
      const message = Buffer.from('attesto pkcs11 self-test')
      const hash = hashOf(curve)
      const input = hash ? createHash(hash).update(message).digest() : message
      const signature = await signOnToken(api, session, curve, keys.privateKey, input)
      const key = createPublicKey({ format: 'jwk', key: publicJwk as import('node:crypto').JsonWebKey })
      if (!verify(hash, message, { key, dsaEncoding: 'ieee-p1363' }, signature)) {
        throw new Error('its signature does not verify')
      }
      if (!agreement || !curve.agreement) return
      const ephemeral = generateKeyPairSync('ec', { namedCurve: curve.crv })
      const point = ecPointOfPublicJwk(curve, ephemeral.publicKey.export({ format: 'jwk' }))
      const secret = await deriveSharedSecret(api, addon, session, curve, keys.privateKey, point)
      if (!secret.equals(diffieHellman({ privateKey: ephemeral.privateKey, publicKey: key }))) {
        throw new Error('its ECDH shared secret is wrong')
      }
    } finally {
      api.C_DestroyObject(session, keys.privateKey)
      api.C_DestroyObject(session, keys.publicKey)
    }
  })
}

const describe = (error: unknown) => pkcs11ErrorName(error) ?? (error as Error).message

/**
 * Key wrapping as the backend will do it, on a session key that vanishes with the session: an
 * AES-256 key with the production template, AES-GCM there and back with additional data, and
 * refused with other additional data. Answers the CK_GCM_PARAMS layout the token took (pkcs11js
 * has one with `ulIvBits`, PKCS#11 2.40's, and one without), or what went wrong.
 */
async function wrappingSelfTest(token: Pkcs11Token): Promise<number | string> {
  const { api, addon } = token
  return token.use(async (session) => {
    const key = await generateWrappingKey(
      api,
      session,
      wrappingKeyTemplate('attesto-self-test', randomBytes(16), false),
    )
    try {
      let failure = 'no CK_GCM_PARAMS layout was accepted'
      for (const layout of [addon.CK_PARAMS_AES_GCM_v240, addon.CK_PARAMS_AES_GCM]) {
        try {
          const message = {
            iv: randomBytes(12),
            aad: Buffer.from('aad'),
            data: Buffer.from('attesto pkcs11 self-test'),
          }
          const sealed = await encryptOnToken(api, session, key, layout, message)
          const opened = await decryptOnToken(api, session, key, layout, { ...message, data: sealed })
          if (!opened.equals(message.data)) throw new Error('AES-GCM does not give the plaintext back')
          const forged = await decryptOnToken(api, session, key, layout, {
            ...message,
            aad: Buffer.from('x'),
            data: sealed,
          }).then(
            () => true,
            () => false,
          )
          if (forged) throw new Error('AES-GCM does not authenticate its additional data')
          return layout
        } catch (error) {
          failure = describe(error)
        }
      }
      return failure
    } finally {
      api.C_DestroyObject(session, key)
    }
  })
}

/**
 * Finds what the token offers (its mechanism list and their flags) and proves it with a self-test
 * per curve. ES256 is required: a token without it, or refusing its key template, stops the start
 * with an error saying what is missing. P-384, Ed25519 (CKM_EDDSA) and ECDH-ES (CKM_ECDH1_DERIVE)
 * are offered when present and working, and reported as missing otherwise.
 */
export async function probeCapabilities(token: Pkcs11Token): Promise<TokenCapabilities> {
  const mechanisms = token.mechanisms()
  const has = (mechanism: number, flag: number) => ((mechanisms.get(mechanism) ?? 0) & flag) !== 0
  const missing: string[] = []
  if (!has(CKM.EC_KEY_PAIR_GEN, CKF.GENERATE_KEY_PAIR) || !has(CKM.ECDSA, CKF.SIGN)) {
    throw new Kms.KeyManagementError(
      `PKCS#11 token '${token.label}' offers no ECDSA (CKM_EC_KEY_PAIR_GEN and CKM_ECDSA): the pkcs11 backend needs ES256`,
    )
  }
  let agreement = has(CKM.ECDH1_DERIVE, CKF.DERIVE)
  if (!agreement) missing.push('ECDH-ES decryption: the token offers no CKM_ECDH1_DERIVE')
  try {
    await selfTest(token, PKCS11_CURVES['P-256'], agreement)
  } catch (error) {
    if (!agreement) throw selfTestFailure(token, 'ES256 (P-256, CKM_ECDSA)', error)
    // Maybe the agreement alone is refused (a policy against derivable or extractable keys).
    await selfTest(token, PKCS11_CURVES['P-256'], false).catch((plain: unknown) => {
      throw selfTestFailure(token, 'ES256 (P-256, CKM_ECDSA)', plain)
    })
    agreement = false
    missing.push(`ECDH-ES decryption: CKM_ECDH1_DERIVE failed (${describe(error)})`)
  }
  const curves: TokenCapabilities['curves'] = { 'P-256': PKCS11_CURVES['P-256'] }
  const sizes = token.keySizes(CKM.EC_KEY_PAIR_GEN)
  const candidates: [Pkcs11Curve, string | undefined][] = [
    [PKCS11_CURVES['P-384'], sizes.min <= 384 && sizes.max >= 384 ? undefined : 'no 384-bit EC keys'],
    [
      PKCS11_CURVES.Ed25519,
      has(CKM.EC_EDWARDS_KEY_PAIR_GEN, CKF.GENERATE_KEY_PAIR) && has(CKM.EDDSA, CKF.SIGN)
        ? undefined
        : 'no CKM_EC_EDWARDS_KEY_PAIR_GEN and CKM_EDDSA',
    ],
  ]
  for (const [curve, lacking] of candidates) {
    const reason = lacking ?? (await selfTest(token, curve, agreement).then(() => undefined, describe))
    if (reason) missing.push(`${curve.crv} keys: ${reason}`)
    else curves[curve.crv] = curve
  }
  let wrapping: number | null = null
  if (!has(CKM.AES_KEY_GEN, CKF.GENERATE) || !has(CKM.AES_GCM, CKF.ENCRYPT) || !has(CKM.AES_GCM, CKF.DECRYPT)) {
    missing.push('key wrapping (direct_post.jwt): the token offers no CKM_AES_KEY_GEN and CKM_AES_GCM')
  } else {
    const tested = await wrappingSelfTest(token).catch(describe)
    if (typeof tested === 'number') wrapping = tested
    else missing.push(`key wrapping (direct_post.jwt): CKM_AES_GCM failed (${tested})`)
  }
  return { curves, agreement, wrapping, missing }
}

function selfTestFailure(token: Pkcs11Token, what: string, error: unknown): Kms.KeyManagementError {
  return new Kms.KeyManagementError(
    `PKCS#11 token '${token.label}' refused ${what} at the start-up self-test (${describe(error)}): ` +
      'it must allow generating sensitive, non-extractable EC key pairs with CKA_SIGN (docs/KMS.md)',
    { cause: error as Error },
  )
}
