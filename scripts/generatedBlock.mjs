// A block of a document generated from the code, between two marker lines: rewritten, or checked
// (`--check` on the command line) so that `npm test` fails while the document is stale.
import { readFileSync, writeFileSync } from 'node:fs'

/**
 * Puts `content` between `start` and `end` in `file` (a URL), or with `--check` exits 1 when it
 * differs, printing `stale(current block)` if given. `label` prefixes every line printed.
 */
export function writeGeneratedBlock({ file, start, end, content, label, summary, stale }) {
  const text = readFileSync(file, 'utf8')
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) {
    console.error(`[${label}] ${file.pathname} has no ${start} … ${end} block`)
    process.exit(1)
  }
  const written = `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`
  if (!process.argv.includes('--check')) {
    writeFileSync(file, written)
    console.log(`[${label}] ${summary}`)
  } else if (written !== text) {
    console.error(`[${label}] ${stale ? stale(text.slice(from + start.length, to)) : 'stale'}`)
    process.exit(1)
  } else console.log(`[${label}] up to date: ${summary}`)
}
