import type { ZodOpenApiPathItemObject, ZodOpenApiPathsObject } from 'zod-openapi'

/**
 * Joins path objects into one: the operations several of them give for one path (a list beside
 * a create, for example) share its path item. An operation given twice is a mistake, and throws.
 */
export function mergeOpenApiPaths(...parts: ZodOpenApiPathsObject[]): ZodOpenApiPathsObject {
  const merged: Record<string, ZodOpenApiPathItemObject> = {}
  for (const part of parts) {
    for (const [path, item] of Object.entries(part)) {
      const existing = merged[path] ?? {}
      const twice = Object.keys(item).filter((method) => Object.hasOwn(existing, method))
      if (twice.length > 0) throw new Error(`OpenAPI: ${twice.join(', ')} ${path} is described twice`)
      merged[path] = { ...existing, ...item }
    }
  }
  return merged
}
