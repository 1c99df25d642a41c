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
      name: 'protocol-kit-no-server',
      comment:
        'The protocol kit is the building blocks every role and the wallet share: no server stack (HTTP servers, WebSockets, databases, queues, Redis, cloud KMS or HSM clients, @credo-ts/node) and no other Attesto package.',
      severity: 'error',
      from: { path: '^packages/protocol-kit/' },
      to: {
        path: '^packages/(?!protocol-kit/)[^/]+/|node_modules/(express|ws|pg|ioredis|bullmq|node-vault|@aws-sdk|pkcs11js|@credo-ts/node|@attesto)/',
      },
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
    {
      name: 'holder-browser-no-node',
      comment:
        "The browser bundle of the wallet SDK (packages/holder/scripts/buildBrowserBundle.mjs) opens wallets with src/browser/ (IndexedDB, WebCrypto) over src/platform/'s contracts, and seals and wraps keys with src/keys/ and runs Credo with src/agent/: none of them may use a node built-in, node's storage or KMS packages, or node's platform (src/node/).",
      severity: 'error',
      from: { path: '^packages/holder/src/(browser|platform|keys|agent)/' },
      to: {
        dependencyTypes: ['core'],
        // `events` is node's own there, and the npm package of the same API in the bundle.
        pathNot: '^events$',
      },
    },
    {
      name: 'holder-browser-no-node-platform',
      comment:
        'See holder-browser-no-node: the browser side of the wallet reaches neither node storage nor the local KMS.',
      severity: 'error',
      from: { path: '^packages/holder/src/(browser|platform|keys|agent)/' },
      to: {
        path: '^packages/(storage-service|kms-adapter)/|^packages/holder/src/node/|node_modules/(pg|@electric-sql)/',
      },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.base.json' },
    tsPreCompilationDeps: true,
    // Another workspace package resolves to its compiled output (packages/<name>/dist/), and many npm
    // packages to a dist/ folder of theirs: those are dependencies to see, not to cruise into.
    doNotFollow: { path: ['node_modules', '^packages/[^/]+/dist/'] },
    exclude: { path: '(/__tests__/|/tests/|/bench/)' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
}
