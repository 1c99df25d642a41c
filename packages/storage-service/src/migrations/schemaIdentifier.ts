import { StorageServiceError } from '../StorageServiceError.js'

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * Validates a schema or role name from configuration and returns it double-quoted for SQL.
 * Only lower-case letters, digits and underscores are accepted, so nothing needs escaping.
 */
export function schemaIdentifier(name: string, what = 'schema'): string {
  if (!IDENTIFIER.test(name)) {
    throw new StorageServiceError(
      `Invalid ${what} name '${name}': use 1-63 lower-case letters, digits and underscores, not starting with a digit`,
    )
  }
  return `"${name}"`
}
