// Checks the variable tables of docs/*.md (rows `| \`NAME\` | default | meaning |`) against the
// registry (scripts/environmentRegistry.mjs): each variable a topic document lists must be declared,
// and the default it gives must be the declared one. README's whole table is generated
// (scripts/environmentTable.mjs); the topic documents keep their own wording of the meaning.
// Run by `npm run check:generated`, after `npm run build`.
import { readdirSync, readFileSync } from 'node:fs'
import { ENVIRONMENT_ROWS } from './environmentRegistry.mjs'

/** PKCS#11 attributes share the table shape in KMS.md; they are not variables. */
const NOT_VARIABLES = /^CKA_/
/** A default as written, reduced to its value: no backticks, digit grouping or remarks in parentheses. */
const value = (text) =>
  text
    .replace(/\(.*?\)/g, '')
    .replace(/[`,]/g, '')
    .trim()

const declared = new Map(ENVIRONMENT_ROWS.map((row) => [row.name, row]))
const docs = new URL('../docs/', import.meta.url)
const problems = []
let checked = 0
for (const file of readdirSync(docs).filter((name) => name.endsWith('.md'))) {
  const text = readFileSync(new URL(file, docs), 'utf8')
  for (const [, name, defaultText] of text.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| ([^|]*) \|/gm)) {
    if (NOT_VARIABLES.test(name)) continue
    checked++
    const row = declared.get(name)
    if (!row) problems.push(`docs/${file}: ${name} is not a declared variable`)
    else if (value(defaultText) !== value(row.defaultText)) {
      problems.push(`docs/${file}: ${name} defaults to ${row.defaultText}, the document says ${defaultText.trim()}`)
    }
  }
}
if (problems.length > 0) {
  console.error(
    `[environment] ${problems.length} variable rows of docs/ differ from the declarations:\n  ${problems.join('\n  ')}`,
  )
  process.exit(1)
}
console.log(`[environment] the ${checked} variable rows of docs/ name declared variables with their declared defaults`)
