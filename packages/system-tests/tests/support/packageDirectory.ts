import { createRequire } from 'node:module'
import { dirname } from 'node:path'

const require = createRequire(import.meta.url)

/** The directory (with a trailing slash) of `name`, a package this one depends on, resolved from its package.json. */
export function packageDirectory(name: string): string {
  return `${dirname(require.resolve(`${name}/package.json`))}/`
}
