import {
  type Attribute,
  CKA,
  CKD_NULL,
  CKK,
  CKM,
  CKO,
  type Handle,
  type Mechanism,
  type Pkcs11Addon,
  type Pkcs11Api,
} from './pkcs11Api.js'
import { KEPT_IN_TOKEN, type KeyPairTemplates, type Pkcs11Curve, sharedSecretTemplate } from './pkcs11Curves.js'

// The token operations the backend and its start-up self-test share, each on a session the caller
// holds. Signing and key agreement run on libuv's thread pool (the *Async calls), so a network HSM's
// latency never blocks the event loop.

/** The objects matching `template`, at most `max`. */
export function findObjects(api: Pkcs11Api, session: Handle, template: Attribute[], max: number): Handle[] {
  api.C_FindObjectsInit(session, template)
  try {
    return api.C_FindObjects(session, max)
  } finally {
    api.C_FindObjectsFinal(session)
  }
}

/** One attribute's value. */
export function attribute(api: Pkcs11Api, session: Handle, object: Handle, type: number): Buffer {
  const [read] = api.C_GetAttributeValue(session, object, [{ type }])
  return read?.value ?? Buffer.alloc(0)
}

export function generateKeyPair(api: Pkcs11Api, session: Handle, curve: Pkcs11Curve, templates: KeyPairTemplates) {
  return api.C_GenerateKeyPairAsync(session, { mechanism: curve.generate }, templates.publicKey, templates.privateKey)
}

/**
 * A signature by the token: CKM_ECDSA over `input` (the caller's digest: tokens such as SoftHSM
 * 2.6 offer no CKM_ECDSA_SHA256), which gives r||s, or CKM_EDDSA over the message.
 */
export function signOnToken(
  api: Pkcs11Api,
  session: Handle,
  curve: Pkcs11Curve,
  privateKey: Handle,
  input: Buffer,
): Promise<Buffer> {
  api.C_SignInit(session, { mechanism: curve.sign }, privateKey)
  return api.C_SignAsync(session, input, Buffer.alloc(2 * curve.coordinateBytes))
}

/**
 * The ECDH shared secret Z of the token's private key and `publicPoint` (uncompressed), by
 * CKM_ECDH1_DERIVE without a KDF: derived as a session object, read, and destroyed.
 */
export async function deriveSharedSecret(
  api: Pkcs11Api,
  addon: Pkcs11Addon,
  session: Handle,
  curve: Pkcs11Curve,
  privateKey: Handle,
  publicPoint: Buffer,
): Promise<Buffer> {
  const mechanism = {
    mechanism: CKM.ECDH1_DERIVE,
    parameter: { type: addon.CK_PARAMS_EC_DH, kdf: CKD_NULL, publicData: publicPoint },
  }
  const secret = await api.C_DeriveKeyAsync(session, mechanism, privateKey, sharedSecretTemplate(curve))
  try {
    return attribute(api, session, secret, CKA.VALUE)
  } finally {
    api.C_DestroyObject(session, secret)
  }
}

/**
 * The template of a key-wrapping key: AES-256, sensitive, never extractable, for encryption and
 * decryption only; a token object (`token`) or a session object (the start-up self-test).
 */
export function wrappingKeyTemplate(label: string, id: Buffer, token: boolean): Attribute[] {
  return [
    { type: CKA.CLASS, value: CKO.SECRET_KEY },
    { type: CKA.KEY_TYPE, value: CKK.AES },
    { type: CKA.VALUE_LEN, value: 32 },
    { type: CKA.TOKEN, value: token },
    { type: CKA.LABEL, value: label },
    { type: CKA.ID, value: id },
    ...KEPT_IN_TOKEN,
    { type: CKA.ENCRYPT, value: true },
    { type: CKA.DECRYPT, value: true },
    { type: CKA.WRAP, value: false },
    { type: CKA.UNWRAP, value: false },
    { type: CKA.SIGN, value: false },
    { type: CKA.VERIFY, value: false },
    { type: CKA.DERIVE, value: false },
  ]
}

export function generateWrappingKey(api: Pkcs11Api, session: Handle, template: Attribute[]): Promise<Handle> {
  return api.C_GenerateKeyAsync(session, { mechanism: CKM.AES_KEY_GEN }, template)
}

/** CKM_AES_GCM with a 96-bit IV, `aad` and a 128-bit tag, in the parameter layout `layout`. */
function gcm(layout: number, iv: Buffer, aad: Buffer): Mechanism {
  return { mechanism: CKM.AES_GCM, parameter: { type: layout, iv, ivBits: 96, aad, tagBits: 128 } }
}

/** AES-GCM encryption by the token: the ciphertext with its tag appended. */
export function encryptOnToken(
  api: Pkcs11Api,
  session: Handle,
  key: Handle,
  layout: number,
  { iv, aad, data }: { iv: Buffer; aad: Buffer; data: Buffer },
): Promise<Buffer> {
  api.C_EncryptInit(session, gcm(layout, iv, aad), key)
  return api.C_EncryptAsync(session, data, Buffer.alloc(data.length + 16))
}

/** AES-GCM decryption by the token of a ciphertext with its tag appended; throws when it does not authenticate. */
export function decryptOnToken(
  api: Pkcs11Api,
  session: Handle,
  key: Handle,
  layout: number,
  { iv, aad, data }: { iv: Buffer; aad: Buffer; data: Buffer },
): Promise<Buffer> {
  api.C_DecryptInit(session, gcm(layout, iv, aad), key)
  return api.C_DecryptAsync(session, data, Buffer.alloc(data.length))
}
