// Domain and storage code does not speak HTTP (`npm run lint:architecture`): the folders below
// import no HTTP framework (express, body-parser, router), not even its types, and none of the
// HTTP error types (`ProtocolError`, `protocolErrorHandler`, `sendEdgeError`). They
// throw `DomainError` (protocol-kit) or an error class of their own, and the edge maps it
// (agent-runtime/src/errors/failureOf.ts). The error types come through the `@attesto/agent-runtime`
// barrel, where a module graph shows only the package, so the named imports are read here with the
// TypeScript parser: named imports and re-exports, namespace imports (`runtime.ProtocolError`),
// `import()` and `require()`.
import ts from 'typescript'

/** The folders that must not import HTTP, each with why it is domain and not edge. */
export const HTTP_FREE_FOLDERS = [
  // The issuer's domain state and its background work (docs/ARCHITECTURE.md's layer table), and
  // the webhook events it raises.
  /^packages\/issuer\/src\/(issuers|status|issuance|authorization|batches|deferred|webhooks)\//,
  // The verifier's domain state and its webhook events.
  /^packages\/verifier\/src\/(verification|webhooks)\//,
  // The packages below the services: storage, keys, the DID cache, the protocol kit.
  /^packages\/(storage-service|kms-adapter|did-cache|protocol-kit)\/src\//,
  // agent-runtime's folders without HTTP: records, tenants, the job-queue contract, configuration,
  // logging, errors. Not these, which are the REST API's own: `pagination/` (list query strings,
  // cursors in URLs, answer bodies, the list handler), `idempotency/` (the `Idempotency-Key`
  // header of a request), nor `auth/`, `edge/`, `http/`, `metrics/`, `openapi/`, `protocol/`,
  // `routing/`, `webhooks/` (its routes), `x509/` (its endpoints), `agent/` (builds the app).
  /^packages\/agent-runtime\/src\/(records|tenancy|queues|config|logging|errors)\//,
]

/** Files in those folders that are HTTP by what they are: a folder's routes. */
const HTTP_FILES = new Set(['packages/agent-runtime/src/queues/queueRoutes.ts'])

/**
 * What those folders import today and must not: each file with the names it may still import. The
 * error types are being replaced by `DomainError` (protocol-kit's error catalog); each entry goes with the file's
 * conversion, and an entry that allows what its file no longer imports is refused too, so the list
 * only shrinks. Empty it, do not add to it.
 */
export const HTTP_IMPORTS_STILL_ALLOWED = new Map([])

const HTTP_PACKAGES = /^(express|body-parser|router)(\/|$)/
const HTTP_ERROR_NAMES = new Set(['ProtocolError', 'protocolErrorHandler', 'sendEdgeError'])

/** The HTTP packages and HTTP error names the module at `path` (`source` its text) imports. */
export function httpImportsOf(path, source) {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true)
  const found = new Set()
  const namespaces = new Set()
  const fromModule = (specifier) => {
    if (specifier && ts.isStringLiteralLike(specifier) && HTTP_PACKAGES.test(specifier.text)) {
      found.add(specifier.text.split('/')[0])
    }
  }
  const visit = (node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      fromModule(node.moduleSpecifier)
      const bindings = ts.isImportDeclaration(node) ? node.importClause?.namedBindings : node.exportClause
      if (bindings && (ts.isNamedImports(bindings) || ts.isNamedExports(bindings))) {
        for (const element of bindings.elements) {
          const name = (element.propertyName ?? element.name).text
          if (HTTP_ERROR_NAMES.has(name)) found.add(name)
        }
      } else if (bindings && ts.isNamespaceImport(bindings)) namespaces.add(bindings.name.text)
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      fromModule(node.moduleReference.expression)
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    ) {
      fromModule(node.arguments[0])
    } else if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      namespaces.has(node.expression.text) &&
      HTTP_ERROR_NAMES.has(node.name.text)
    ) {
      found.add(node.name.text)
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return [...found].sort()
}

/**
 * The violations of the rule among `modules` (`{ path, source }` of production modules): a
 * file that imports what it must not, and an allow-list entry its file no longer needs.
 */
export function httpInDomainProblems(modules) {
  const problems = []
  const seen = new Set()
  for (const { path, source } of modules) {
    if (!HTTP_FREE_FOLDERS.some((folder) => folder.test(path)) || HTTP_FILES.has(path)) continue
    seen.add(path)
    const allowed = HTTP_IMPORTS_STILL_ALLOWED.get(path) ?? []
    const imported = httpImportsOf(path, source)
    const refused = imported.filter((name) => !allowed.includes(name))
    if (refused.length) problems.push(`domain-imports-http: ${path} imports ${refused.join(', ')}`)
    const stale = allowed.filter((name) => !imported.includes(name))
    if (stale.length) {
      problems.push(
        `domain-imports-http: ${path} no longer imports ${stale.join(', ')}: remove it from HTTP_IMPORTS_STILL_ALLOWED (scripts/httpFreeDomain.mjs)`,
      )
    }
  }
  for (const path of HTTP_IMPORTS_STILL_ALLOWED.keys()) {
    if (!seen.has(path)) {
      problems.push(
        `domain-imports-http: ${path} is gone: remove it from HTTP_IMPORTS_STILL_ALLOWED (scripts/httpFreeDomain.mjs)`,
      )
    }
  }
  return problems
}
