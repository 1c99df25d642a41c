// The runtime fixtures of Attesto's tests: services of the runtime on the real PostgreSQL, Credo
// agents and the diploma flow, a webhook receiver, request fuzzers. It sits above
// @attesto/agent-runtime and uses only packages' public exports. Response checks against the
// OpenAPI documents (they use jest's `expect`) are `@attesto/testing/openapi`; hand-built wallets
// and their certified issuers are `@attesto/testing/wallets`.

export * from './testRuntimes.js'
export * from './verifierFixture.js'
