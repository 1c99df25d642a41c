import { softHsmDirectory, softHsmInstalled } from './softHsm.js'

/**
 * jest's global setup: one SoftHSM2 token directory per test run, through SOFTHSM2_CONF. It must be
 * set here, in jest's own process before the workers start, because the module reads it from the
 * process environment, which a test file's `process.env` (a copy) does not change. Not done when
 * PKCS11_MODULE points the suites at another token.
 */
export default function setUp(): void {
  if (process.env.PKCS11_MODULE || !softHsmInstalled) return
  const directory = softHsmDirectory()
  process.env.SOFTHSM2_CONF = directory.conf
  process.env.ATTESTO_SOFTHSM_TEST_DIR = directory.dir
}
