// `npm run lint:architecture`: the rules of .dependency-cruiser.cjs (no import circles, no deep
// imports into another package, no server stack in the wallet SDK, no server package and no other
// @attesto package in the protocol kit), no HTTP framework or HTTP error type imported by domain
// and storage code (scripts/httpFreeDomain.mjs), no server package in what installing the wallet
// SDK brings (scripts/walletInstallTree.mjs), no cycle between the top-level folders of one
// package's src/ (a folder is a concept: `status` may use `protocol`, or the other way round, not
// both), no test code in a published package (no export or file entry into tests/, no private
// package among its dependencies), and no production function longer than 80 lines. Exits 1 with
// every violation listed.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cruise } from 'dependency-cruiser'
import ts from 'typescript'
import { httpInDomainProblems } from './httpFreeDomain.mjs'
import { WALLET_FORBIDDEN_PACKAGES, walletInstallTree } from './walletInstallTree.mjs'

const require = createRequire(import.meta.url)
const config = require('../.dependency-cruiser.cjs')
const { output } = await cruise(['packages/*/src'], {
  ...config.options,
  validate: true,
  ruleSet: { forbidden: config.forbidden },
})

const problems = output.summary.violations.map((violation) => {
  const path = violation.cycle?.length
    ? [violation.from, ...violation.cycle.map((step) => step.name ?? step)]
    : [violation.from, violation.to]
  return `${violation.rule.name}: ${path.join(' -> ')}`
})

/** `issuer:status` for packages/issuer/src/status/…; files directly in src/ belong to no folder. */
const folderOf = (path) => /^packages\/([^/]+)\/src\/([^/]+)\/./.exec(path)?.slice(1, 3).join(':')
const edges = new Map()
for (const module of output.modules) {
  const from = folderOf(module.source)
  if (!from) continue
  for (const dependency of module.dependencies) {
    const to = folderOf(dependency.resolved)
    if (!to || to === from || to.split(':')[0] !== from.split(':')[0]) continue
    if (!edges.has(from)) edges.set(from, new Map())
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${module.source} -> ${dependency.resolved}`)
  }
}
// Strongly connected folders (Tarjan): each component of more than one folder is a cycle.
let counter = 0
const index = new Map()
const low = new Map()
const stack = []
const components = []
const visit = (node) => {
  index.set(node, counter)
  low.set(node, counter++)
  stack.push(node)
  for (const next of edges.get(node)?.keys() ?? []) {
    if (!index.has(next)) {
      visit(next)
      low.set(node, Math.min(low.get(node), low.get(next)))
    } else if (stack.includes(next)) low.set(node, Math.min(low.get(node), index.get(next)))
  }
  if (low.get(node) !== index.get(node)) return
  const component = []
  let member
  do {
    member = stack.pop()
    component.push(member)
  } while (member !== node)
  if (component.length > 1) components.push(component)
}
for (const node of edges.keys()) if (!index.has(node)) visit(node)
for (const component of components) {
  const inside = component.flatMap((from) =>
    [...edges.get(from)].filter(([to]) => component.includes(to)).map(([, example]) => `    ${example}`),
  )
  problems.push(`folder cycle: ${component.sort().join(', ')}\n${inside.join('\n')}`)
}

/** The workspace packages by directory: their package.json. */
const manifests = new Map(
  readdirSync('packages').map((dir) => [dir, JSON.parse(readFileSync(`packages/${dir}/package.json`, 'utf8'))]),
)
const privateNames = new Set([...manifests.values()].filter((manifest) => manifest.private).map(({ name }) => name))

/**
 * A published package ships no test code: no export or file entry reaches into tests/, and no
 * dependency is a private package (the test fixtures are; devDependencies may name them).
 */
for (const [dir, manifest] of manifests) {
  if (manifest.private) continue
  const targets = JSON.stringify([manifest.exports ?? {}, manifest.files ?? [], manifest.bin ?? {}])
  if (/tests\//.test(targets)) problems.push(`published-ships-tests: packages/${dir}/package.json names tests/`)
  for (const name of Object.keys(manifest.dependencies ?? {})) {
    if (privateNames.has(name)) problems.push(`published-depends-on-private: ${manifest.name} -> ${name}`)
  }
}

/**
 * Production functions longer than the limit: each is asking to be split. Tests are excluded, and
 * so are the private test packages' sources (fixtures and test servers, never shipped).
 */
const MAX_FUNCTION_LINES = 80
let longest = { lines: 0, where: '' }
for (const module of output.modules) {
  const dir = /^packages\/([^/]+)\/src\/.*\.ts$/.exec(module.source)?.[1]
  if (!dir || manifests.get(dir)?.private || module.source.includes('__tests__')) continue
  const source = ts.createSourceFile(module.source, readFileSync(module.source, 'utf8'), ts.ScriptTarget.Latest, true)
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const line = (position) => source.getLineAndCharacterOfPosition(position).line
      const lines = line(node.end) - line(node.getStart()) + 1
      const name =
        node.name?.getText() ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText() : 'a function')
      if (lines > longest.lines) longest = { lines, where: `${name} at ${module.source}:${line(node.getStart()) + 1}` }
      if (lines > MAX_FUNCTION_LINES) {
        problems.push(
          `long function: ${name} at ${module.source}:${line(node.getStart()) + 1} has ${lines} lines (at most ${MAX_FUNCTION_LINES})`,
        )
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
}

/** Domain and storage code imports no HTTP framework and no HTTP error type (scripts/httpFreeDomain.mjs). */
problems.push(
  ...httpInDomainProblems(
    output.modules
      .filter((module) => /^packages\/[^/]+\/src\/.*\.(ts|mjs|js)$/.test(module.source))
      .map((module) => ({ path: module.source, source: readFileSync(module.source, 'utf8') })),
  ),
)

/** What installing the wallet SDK brings: no server package, through any dependency. */
const walletTree = walletInstallTree(process.cwd())
for (const name of WALLET_FORBIDDEN_PACKAGES) {
  const chain = walletTree.get(name)
  if (chain) problems.push(`holder-installs-server-package: ${chain.join(' -> ')}`)
}

const folders = new Set([...edges.keys(), ...[...edges.values()].flatMap((targets) => [...targets.keys()])])
if (problems.length) {
  console.error(`architecture: ${problems.length} violation(s)\n${problems.join('\n')}`)
  process.exit(1)
}
console.log(
  `architecture: ${output.summary.totalCruised} modules, ${folders.size} folders: no import circle, no folder cycle, no deep import across packages, no HTTP in domain code, no server package in the ${walletTree.size} packages the wallet installs, no test code in a published package, no function over ${MAX_FUNCTION_LINES} lines (the longest: ${longest.where}, ${longest.lines})`,
)
