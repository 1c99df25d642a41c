import { readFileSync } from 'node:fs'
import { RuntimeConfigError } from './RuntimeConfigError.js'

/**
 * The secret variables that can also be given as `<NAME>_FILE`, the path of a file holding the
 * value (a Kubernetes or compose secret mounted as a file, a Vault Agent template). The local KMS
 * master key has had its own file variable from the start: `KMS_MASTER_KEY_FILE`.
 */
export const SECRET_FILE_VARIABLES = [
  'ADMIN_API_KEY',
  'ADMIN_API_KEYS',
  'LOCAL_KMS_PREVIOUS_MASTER_KEYS',
  'DATABASE_URL',
  'DATABASE_MIGRATION_URL',
  'DATABASE_REPLICA_URL',
  'REDIS_URL',
  'REDIS_CLUSTER_PASSWORD',
  'VAULT_TOKEN',
  'VAULT_SECRET_ID',
  'PKCS11_PIN',
  'TOKEN_SIGNING_SECRET',
  'METRICS_TOKEN',
] as const

/**
 * A copy of `env` in which every `<NAME>_FILE` of {@link SECRET_FILE_VARIABLES} is replaced by
 * `<NAME>` set to the file's content (surrounding whitespace, such as a final newline, removed),
 * before validation. Throws a {@link RuntimeConfigError} naming each variable whose file cannot
 * be read or is empty, or that is given both ways. File contents never appear in messages.
 */
export function resolveSecretFiles(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const resolved = { ...env }
  const problems: string[] = []
  for (const name of SECRET_FILE_VARIABLES) {
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
