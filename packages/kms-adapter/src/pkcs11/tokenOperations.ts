import { type Attribute, CKA, CKD_NULL, CKM, type Handle, type Pkcs11Addon, type Pkcs11Api } from './pkcs11Api.js'
import { type KeyPairTemplates, type Pkcs11Curve, sharedSecretTemplate } from './pkcs11Curves.js'

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
