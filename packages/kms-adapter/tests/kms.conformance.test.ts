import { describeKmsConformance } from './conformance/kmsConformance.js'
import { awsKms, localKms, vaultKms } from './support/kmsBackends.js'

describeKmsConformance('local', localKms)
describeKmsConformance('vault', vaultKms)
describeKmsConformance('aws', awsKms)
