import { jestConfig } from '../../jest.config.base.js'

export default {
  ...jestConfig(),
  // Each run's SoftHSM2 tokens live in a directory of their own (@attesto/test-servers' softHsm.ts).
  globalSetup: '@attesto/test-servers/softhsm-setup',
  globalTeardown: '@attesto/test-servers/softhsm-teardown',
}
