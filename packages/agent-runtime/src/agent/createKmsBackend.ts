import {
  AwsKmsKeyManagementService,
  LocalKeyManagementService,
  loadMasterKeyFile,
  masterKeyFromBase64,
  Pkcs11KeyManagementService,
  VaultTransitKeyManagementService,
} from '@attesto/kms-adapter'
import type { Kms, Logger } from '@credo-ts/core'
import type { RuntimeConfig } from '../config/runtimeConfig.js'

/** The role's KMS backend, as configured. */
export async function createKmsBackend(config: RuntimeConfig, logger: Logger): Promise<Kms.KeyManagementService> {
  const kms = config.kms
  if (kms.backend === 'vault') {
    return new VaultTransitKeyManagementService({ ...kms, role: config.role })
  }
  if (kms.backend === 'aws') {
    return new AwsKmsKeyManagementService({ ...kms, role: config.role })
  }
  if (kms.backend === 'pkcs11') {
    // Loads pkcs11js (a native addon) now, and only here; fails the start if the token cannot serve.
    const backend = await Pkcs11KeyManagementService.start({ ...kms, role: config.role })
    const { curves, agreement, wrapping, missing } = backend.capabilities
    logger.info('PKCS#11 token ready', {
      token: kms.tokenLabel,
      curves: Object.keys(curves),
      ecdhEs: agreement,
      keyWrapping: wrapping !== null,
      ...(missing.length ? { missing } : {}),
    })
    return backend
  }
  const previousMasterKeys = kms.previousMasterKeys.map(masterKeyFromBase64)
  if (kms.masterKey) {
    return new LocalKeyManagementService({ masterKey: masterKeyFromBase64(kms.masterKey), previousMasterKeys })
  }
  const { masterKey, created } = await loadMasterKeyFile(kms.masterKeyFile, { createIfMissing: true })
  if (created) {
    logger.warn('Generated a local KMS master key file. Production needs a real KMS (vault or aws) or a managed key.', {
      file: kms.masterKeyFile,
    })
  }
  return new LocalKeyManagementService({ masterKey, previousMasterKeys })
}
