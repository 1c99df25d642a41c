#!/usr/bin/env node
// Writes the issuer's and the verifier's OpenAPI documents (generated from their zod schemas, as
// the services serve them at /openapi.json) to a folder, for linting and for clients' code
// generators: `node scripts/openapi.mjs [outDir]` (default build/openapi) after `npm run build`.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(import.meta.url), '../..')
const outDir = resolve(process.argv[2] ?? join(root, 'build/openapi'))
const serverUrl = 'http://localhost:3000'
const { issuerOpenApi } = await import(join(root, 'packages/issuer/dist/src/openapi.js'))
const { verifierOpenApi } = await import(join(root, 'packages/verifier/dist/src/openapi.js'))

mkdirSync(outDir, { recursive: true })
for (const [name, document] of [
  ['issuer', issuerOpenApi(serverUrl)],
  ['verifier', verifierOpenApi('http://localhost:3001')],
]) {
  const file = join(outDir, `${name}.openapi.json`)
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`)
  console.log(`wrote ${file}`)
}
