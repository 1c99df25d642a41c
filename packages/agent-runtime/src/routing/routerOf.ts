import { Router } from 'express'
import type { BoundRoute } from './operation.js'

/** An express router serving `routes`, each at its declared method and path. */
export function routerOf(routes: readonly BoundRoute[]): Router {
  const router = Router()
  for (const { operation, handlers } of routes) router[operation.spec.method](operation.expressPath, ...handlers)
  return router
}

/** The express paths of the routes that take bodies in `type` (besides JSON). */
export function pathsTaking(routes: readonly BoundRoute[], type: 'csv' | 'form'): string[] {
  return routes
    .filter(({ operation }) => operation.spec.edge?.bodyTypes?.includes(type))
    .map(({ operation }) => operation.expressPath)
}

/** The routes whose bodies may exceed the default limit, with their limits. */
export function largeBodiesOf(routes: readonly BoundRoute[]): { path: string; limitBytes: number }[] {
  return routes.flatMap(({ operation, maxBodyBytes }) => {
    if (!operation.spec.edge?.largeBody) return []
    if (maxBodyBytes === undefined) throw new Error(`${operation.spec.operationId}: a large body needs its limit`)
    return [{ path: operation.expressPath, limitBytes: maxBodyBytes }]
  })
}
