import { describeWithSoftHsm } from '@attesto/test-servers'
import { describeEcdhEsConformance } from './conformance/ecdhEsConformance.js'
import { describeKmsConformance } from './conformance/kmsConformance.js'
import { awsKms, localKms, pkcs11Kms, vaultKms } from './support/kmsBackends.js'

describeKmsConformance('local', localKms)
describeKmsConformance('vault', vaultKms)
describeKmsConformance('aws', awsKms)
describeEcdhEsConformance('local', localKms)
describeWithSoftHsm('on a PKCS#11 token', () => {
  describeKmsConformance('pkcs11', pkcs11Kms)
  describeEcdhEsConformance('pkcs11', pkcs11Kms)
})
