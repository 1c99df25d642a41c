import { jestConfig } from '../../jest.config.base.js'

export default {
  ...jestConfig(),
  // The services these tests start in this process may use SoftHSM2 tokens (their module reads
  // SOFTHSM2_CONF from the real environment): one token directory per run, as kms-adapter's.
  globalSetup: '@attesto/test-servers/softhsm-setup',
  globalTeardown: '@attesto/test-servers/softhsm-teardown',
}
