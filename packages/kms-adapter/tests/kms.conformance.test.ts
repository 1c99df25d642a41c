import { describeKmsConformance } from './conformance/kmsConformance.js'
import { localKms, vaultKms } from './support/kmsBackends.js'

describeKmsConformance('local', localKms)
describeKmsConformance('vault', vaultKms)
