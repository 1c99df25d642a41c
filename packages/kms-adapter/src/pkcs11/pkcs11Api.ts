import { Kms } from '@credo-ts/core'

// The part of pkcs11js (a native addon, an optional dependency) this backend uses, declared here
// so that building and loading the package never needs the addon: it is imported only when a
// PKCS#11 backend starts. Constants are PKCS#11 2.40's (OASIS), except CK_PARAMS_EC_DH and the
// CK_PARAMS_AES_GCM tags, which are pkcs11js's names for parameter layouts (CK_ECDH1_DERIVE_PARAMS,
// CK_GCM_PARAMS) and are read from the loaded addon.

export type Handle = Buffer
export type AttributeValue = number | boolean | string | Buffer
export interface Attribute {
  type: number
  value?: AttributeValue
}
/** CK_GCM_PARAMS, in either of pkcs11js's layouts (`CK_PARAMS_AES_GCM_v240` with `ivBits`, or without). */
export interface GcmParameter {
  type: number
  iv: Buffer
  ivBits: number
  aad: Buffer
  tagBits: number
}

export interface Mechanism {
  mechanism: number
  parameter?: Buffer | { type: number; kdf: number; publicData: Buffer; sharedData?: Buffer } | GcmParameter
}

export interface Pkcs11Api {
  load(path: string): void
  close(): void
  C_Initialize(options?: { flags?: number }): void
  C_Finalize(): void
  C_GetSlotList(tokenPresent?: boolean): Handle[]
  C_GetTokenInfo(slot: Handle): { label: string; flags: number }
  C_GetMechanismList(slot: Handle): number[]
  C_GetMechanismInfo(slot: Handle, mechanism: number): { minKeySize: number; maxKeySize: number; flags: number }
  C_OpenSession(slot: Handle, flags: number): Handle
  C_CloseSession(session: Handle): void
  C_Login(session: Handle, userType: number, pin?: string): void
  C_FindObjectsInit(session: Handle, template: Attribute[]): void
  C_FindObjects(session: Handle, maxObjectCount: number): Handle[]
  C_FindObjectsFinal(session: Handle): void
  C_GetAttributeValue(session: Handle, object: Handle, template: Attribute[]): { type: number; value: Buffer }[]
  C_DestroyObject(session: Handle, object: Handle): void
  C_GenerateKeyPairAsync(
    session: Handle,
    mechanism: Mechanism,
    publicKeyTemplate: Attribute[],
    privateKeyTemplate: Attribute[],
  ): Promise<{ publicKey: Handle; privateKey: Handle }>
  C_SignInit(session: Handle, mechanism: Mechanism, key: Handle): void
  C_SignAsync(session: Handle, data: Buffer, signature: Buffer): Promise<Buffer>
  C_DeriveKeyAsync(session: Handle, mechanism: Mechanism, key: Handle, template: Attribute[]): Promise<Handle>
  C_GenerateKeyAsync(session: Handle, mechanism: Mechanism, template: Attribute[]): Promise<Handle>
  C_EncryptInit(session: Handle, mechanism: Mechanism, key: Handle): void
  C_EncryptAsync(session: Handle, data: Buffer, encrypted: Buffer): Promise<Buffer>
  C_DecryptInit(session: Handle, mechanism: Mechanism, key: Handle): void
  C_DecryptAsync(session: Handle, encrypted: Buffer, data: Buffer): Promise<Buffer>
}

export interface Pkcs11Addon {
  PKCS11: new () => Pkcs11Api
  CK_PARAMS_EC_DH: number
  CK_PARAMS_AES_GCM: number
  CK_PARAMS_AES_GCM_v240: number
}

export const CKA = {
  CLASS: 0x0,
  TOKEN: 0x1,
  PRIVATE: 0x2,
  LABEL: 0x3,
  VALUE: 0x11,
  KEY_TYPE: 0x100,
  ID: 0x102,
  SENSITIVE: 0x103,
  ENCRYPT: 0x104,
  DECRYPT: 0x105,
  WRAP: 0x106,
  UNWRAP: 0x107,
  SIGN: 0x108,
  VERIFY: 0x10a,
  DERIVE: 0x10c,
  VALUE_LEN: 0x161,
  EXTRACTABLE: 0x162,
  LOCAL: 0x163,
  NEVER_EXTRACTABLE: 0x164,
  ALWAYS_SENSITIVE: 0x165,
  MODIFIABLE: 0x170,
  EC_PARAMS: 0x180,
  EC_POINT: 0x181,
} as const

export const CKO = { PUBLIC_KEY: 0x2, PRIVATE_KEY: 0x3, SECRET_KEY: 0x4 } as const
export const CKK = { EC: 0x3, GENERIC_SECRET: 0x10, AES: 0x1f, EC_EDWARDS: 0x40 } as const
export const CKM = {
  EC_KEY_PAIR_GEN: 0x1040,
  ECDSA: 0x1041,
  ECDH1_DERIVE: 0x1050,
  EC_EDWARDS_KEY_PAIR_GEN: 0x1055,
  EDDSA: 0x1057,
  AES_KEY_GEN: 0x1080,
  AES_GCM: 0x1087,
} as const
export const CKF = {
  RW_SESSION: 0x2,
  SERIAL_SESSION: 0x4,
  OS_LOCKING_OK: 0x2,
  ENCRYPT: 0x100,
  DECRYPT: 0x200,
  TOKEN_INITIALIZED: 0x400,
  SIGN: 0x800,
  GENERATE: 0x8000,
  GENERATE_KEY_PAIR: 0x10000,
  DERIVE: 0x80000,
} as const
export const CKU_USER = 0x1
export const CKD_NULL = 0x1

/**
 * pkcs11js, loaded on first use. It is an optional dependency built from source by its install
 * script: where it is missing or was never built, the error says how to get it.
 */
export async function loadPkcs11Addon(): Promise<Pkcs11Addon> {
  try {
    const loaded = (await import('pkcs11js' as string)) as { default?: Pkcs11Addon } & Pkcs11Addon
    return loaded.default ?? loaded
  } catch (error) {
    throw new Kms.KeyManagementError(
      'The pkcs11 backend needs the optional dependency pkcs11js, built for this node: run `npm ci` ' +
        '(its install script is approved in package.json allowScripts; node-gyp needs python3, make and a C++ compiler) ' +
        'or `npm rebuild pkcs11js`',
      { cause: error as Error },
    )
  }
}
