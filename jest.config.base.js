// Shared jest configuration. Packages are compiled with `tsc -b` first and jest runs the
// emitted ESM (NODE_OPTIONS=--experimental-vm-modules), so no transformer is involved.
import { fileURLToPath } from 'node:url'

const repositoryRoot = fileURLToPath(new URL('.', import.meta.url))

/** @returns {import('jest').Config} */
export function jestConfig() {
  return {
    testEnvironment: 'node',
    transform: {},
    roots: ['<rootDir>/dist'],
    testMatch: ['**/__tests__/**/*.test.js', '**/tests/**/*.test.js'],
    moduleNameMapper: {
      // webcrypto-core's "module" build is ESM inside a CommonJS package, which jest's ESM
      // loader rejects; point it at the CommonJS build.
      '^webcrypto-core$': `${repositoryRoot}node_modules/webcrypto-core/build/webcrypto-core.js`,
    },
    testTimeout: 60_000,
  }
}
