import { jestConfig } from '../../jest.config.base.js'

export default {
  ...jestConfig(),
  // Each run's SoftHSM2 tokens live in a directory of their own (tests/support/softHsm.ts).
  globalSetup: '<rootDir>/dist/tests/support/softHsmGlobalSetup.js',
  globalTeardown: '<rootDir>/dist/tests/support/softHsmGlobalTeardown.js',
}
