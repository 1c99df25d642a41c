export { AwsKmsKeyManagementService, type AwsKmsKeyManagementServiceOptions } from './aws/AwsKmsKeyManagementService.js'
export { ecdsaDerToJose } from './aws/ecdsaDerToJose.js'
export { type DecryptEcdhEsOptions, decryptEcdhEs, ECDH_ES_CONTENT_ENCRYPTIONS } from './ecdhEs.js'
export {
  KeyUnwrapError,
  type KeyWrapping,
  keyWrappingOf,
  MAX_WRAPPED_KEY_BYTES,
  type UnwrapKeyOptions,
  type UnwrapKeyReturn,
  type WrapKeyOptions,
  type WrapKeyReturn,
} from './KeyWrapping.js'
export { KmsUnavailableError } from './KmsUnavailableError.js'
export { backendKeyName, type KeyNamespace, wrappingKeyName } from './keyNaming.js'
export { EncryptedKeyStorage } from './local/EncryptedKeyStorage.js'
export { LocalKeyManagementService, type LocalKeyManagementServiceOptions } from './local/LocalKeyManagementService.js'
export { LocalKmsKeyRecord, type LocalKmsKeyRecordProps } from './local/LocalKmsKeyRecord.js'
export {
  type LoadMasterKeyFileReturn,
  loadMasterKeyFile,
  type MasterKey,
  masterKeyFromBase64,
  masterKeyFromBytes,
} from './local/masterKey.js'
export {
  Pkcs11KeyManagementService,
  type Pkcs11KeyManagementServiceOptions,
} from './pkcs11/Pkcs11KeyManagementService.js'
export type { TokenCapabilities } from './pkcs11/tokenCapabilities.js'
export { CircuitBreaker, type CircuitBreakerOptions } from './resilience/CircuitBreaker.js'
export { type CallOptions, type ResilienceOptions, ResilientCaller } from './resilience/ResilientCaller.js'
export { Semaphore } from './resilience/Semaphore.js'
export { publicJwkFromSpki, REMOTE_SIGNATURE_ALGORITHMS, verifyWithPublicJwk } from './signatureAlgorithms.js'
export {
  VaultTransitKeyManagementService,
  type VaultTransitKeyManagementServiceOptions,
} from './vault/VaultTransitKeyManagementService.js'
