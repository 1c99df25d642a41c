import { readFileSync } from 'node:fs'
import { RuntimeConfigError } from './RuntimeConfigError.js'

/**
 * A copy of `env` in which every `<NAME>_FILE` of `names` (the secret variables, declared with
 * `secret` in their configuration section) is replaced by
 * `<NAME>` set to the file's content (surrounding whitespace, such as a final newline, removed),
 * before validation. Throws a {@link RuntimeConfigError} naming each variable whose file cannot
 * be read or is empty, or that is given both ways. File contents never appear in messages.
 */
export function resolveSecretFiles(
  env: Record<string, string | undefined>,
  names: readonly string[],
): Record<string, string | undefined> {
  const resolved = { ...env }
  const problems: string[] = []
  for (const name of names) {
    const path = env[`${name}_FILE`]
    if (!path) continue
    delete resolved[`${name}_FILE`]
    if (env[name] !== undefined) {
      problems.push(`  ${name}_FILE: set ${name} or ${name}_FILE, not both`)
      continue
    }
    try {
      const value = readFileSync(path, 'utf8').trim()
      if (!value) problems.push(`  ${name}_FILE: ${path} is empty`)
      else resolved[name] = value
    } catch (error) {
      problems.push(`  ${name}_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
    }
  }
  if (problems.length) throw new RuntimeConfigError(`Invalid configuration:\n${problems.join('\n')}`)
  return resolved
}
