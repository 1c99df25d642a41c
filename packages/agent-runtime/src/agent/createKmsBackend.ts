import {
  AwsKmsKeyManagementService,
  LocalKeyManagementService,
  loadMasterKeyFile,
  masterKeyFromBase64,
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
