// The packages `npm install @attesto/holder` brings, read from package.json files alone: the
// holder's dependencies, then each one's dependencies and non-optional peer dependencies
// (optional peers are not installed), resolved the way node does, from the requiring package's
// directory up. Workspace packages resolve to their folders under packages/.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

/** Server packages the wallet SDK must not install, whatever pulls them in. */
export const WALLET_FORBIDDEN_PACKAGES = [
  '@aws-sdk/client-kms',
  '@smithy/node-http-handler',
  'node-vault',
  'pkcs11js',
  'ioredis',
  'bullmq',
]

function findPackage(name, fromDirectory, root) {
  for (let directory = fromDirectory; ; directory = dirname(directory)) {
    const candidate = join(directory, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (directory === root || directory === dirname(directory)) return null
  }
}

const manifestOf = (directory) => JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'))

/** name → the chain of packages that first pulls it in, for every package the holder installs. */
export function walletInstallTree(root) {
  const start = resolve(root, 'packages/holder')
  const pulledBy = new Map([['@attesto/holder', ['@attesto/holder']]])
  const queue = [start]
  const seen = new Set([start])
  while (queue.length > 0) {
    const directory = queue.shift()
    const manifest = manifestOf(directory)
    const optionalPeers = manifest.peerDependenciesMeta ?? {}
    const peers = Object.keys(manifest.peerDependencies ?? {}).filter((name) => !optionalPeers[name]?.optional)
    const names = [
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.optionalDependencies ?? {}),
      ...peers,
    ]
    for (const name of names) {
      const found = findPackage(name, directory, root)
      if (!found || seen.has(found)) continue
      seen.add(found)
      queue.push(found)
      if (!pulledBy.has(name)) pulledBy.set(name, [...pulledBy.get(manifest.name), name])
    }
  }
  return pulledBy
}
