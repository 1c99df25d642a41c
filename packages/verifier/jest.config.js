import { jestConfig } from '../../jest.config.base.js'

export default {
  ...jestConfig(),
  // Services under test may run on SoftHSM2 tokens in this process (their module reads
  // SOFTHSM2_CONF from the real environment): one token directory per run, as kms-adapter's.
  globalSetup: '@attesto/test-servers/softhsm-setup',
  globalTeardown: '@attesto/test-servers/softhsm-teardown',
}
