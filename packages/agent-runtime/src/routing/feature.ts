import type { OpenApiTag } from '../openapi/openApi.js'
import type { BoundRoute, Operation } from './operation.js'

/**
 * A feature of a service's REST API: its operations (declared once, {@link Operation}), the
 * OpenAPI sections they fall under, and how its handlers are bound to the services they need
 * (`Services`: what the feature depends on, by type). A service lists its features in mounting
 * order; the router and the OpenAPI document are both made from that one list.
 */
export interface Feature<Services> {
  name: string
  tags?: readonly OpenApiTag[]
  operations: readonly Operation[]
  routes(services: Services): BoundRoute[]
}

/** Declares a feature ({@link Feature}). */
export function feature<Services>(declaration: Feature<Services>): Feature<Services> {
  const bound = new Set(declaration.operations)
  return {
    ...declaration,
    routes: (services) => {
      const routes = declaration.routes(services)
      for (const route of routes) {
        if (!bound.has(route.operation)) {
          throw new Error(`${declaration.name}: ${route.operation.spec.operationId} is not one of its operations`)
        }
      }
      return routes
    },
  }
}

/** Every operation of `features`, in their order. */
export function operationsOf(features: readonly Feature<never>[]): Operation[] {
  return features.flatMap(({ operations }) => operations)
}
