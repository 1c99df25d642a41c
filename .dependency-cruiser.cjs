// Architecture rules, checked by `npm run lint:architecture` (scripts/checkArchitecture.mjs, which
// also refuses folder-level cycles inside a package). Production sources only: tests, benchmarks
// and compiled output are not cruised.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import circle between files: a newcomer must be able to read a module bottom-up.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-cross-package-deep-import',
      comment: "A package is used through its package name and exports, never through another package's files.",
      severity: 'error',
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/([^/]+)/src/', pathNot: '^packages/$1/' },
    },
    {
      name: 'holder-no-server-stack',
      comment:
        'The wallet SDK runs in apps: it must not load HTTP servers, WebSockets, queues, Redis, cloud KMS or HSM clients, nor @credo-ts/node (its FFI, WebSocket and DIDComm server transports). What installing it brings is checked too (scripts/walletInstallTree.mjs).',
      severity: 'error',
      from: { path: '^packages/holder/src/' },
      to: {
        path: 'node_modules/(express|ws|node-vault|@aws-sdk|@smithy|bullmq|ioredis|pkcs11js|@credo-ts/node|@credo-ts/didcomm)/',
      },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.base.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(/__tests__/|/dist/|/tests/|/bench/|/node_modules/)' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
}
