// `@attesto/kms-adapter/local`: the local KMS alone, for apps (the wallet SDK) that must not load
// the Vault, AWS or PKCS#11 backends. Those are optional peer dependencies of this package.
export { EncryptedKeyStorage } from './EncryptedKeyStorage.js'
export { LocalKeyManagementService, type LocalKeyManagementServiceOptions } from './LocalKeyManagementService.js'
export { LocalKmsKeyRecord, type LocalKmsKeyRecordProps } from './LocalKmsKeyRecord.js'
export {
  type LoadMasterKeyFileReturn,
  loadMasterKeyFile,
  type MasterKey,
  masterKeyFromBase64,
  masterKeyFromBytes,
} from './masterKey.js'
