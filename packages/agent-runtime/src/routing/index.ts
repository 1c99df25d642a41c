export { type Feature, feature, operationsOf } from './feature.js'
export { type MountedRoute, mountedRoutes, undocumentedRoutes } from './mountedRoutes.js'
export {
  type BoundRoute,
  type HttpMethod,
  type Operation,
  type OperationBody,
  type OperationEdge,
  type OperationSpec,
  openApiPathsOf,
  operation,
} from './operation.js'
export { optionalBody } from './optionalBody.js'
export { largeBodiesOf, pathsTaking, routerOf } from './routerOf.js'
