import type { Express } from 'express'

interface StackLayer {
  rawPath?: unknown
  route?: { path: unknown; methods: Record<string, boolean> }
  handle: { stack?: StackLayer[] }
}

/** A route an app answers: its method and its path in OpenAPI's form (`/offers/{offerId}`). */
export interface MountedRoute {
  method: string
  path: string
}

function walk(stack: StackLayer[], prefix: string, found: MountedRoute[]): void {
  for (const layer of stack) {
    if (layer.route && typeof layer.route.path === 'string') {
      const path = `${prefix}${layer.route.path}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
      for (const method of Object.keys(layer.route.methods)) {
        if (method !== '_all') found.push({ method, path: path.length > 1 ? path.replace(/\/$/, '') : path })
      }
    } else if (layer.handle.stack) {
      const mountedAt = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''
      walk(layer.handle.stack, `${prefix}${mountedAt}`, found)
    }
  }
}

/**
 * Every route `app` answers (methods of routes, walking into mounted routers), for checking an
 * app against its OpenAPI document. Middlewares without a route (`use`) are not routes.
 */
export function mountedRoutes(app: Express): MountedRoute[] {
  const found: MountedRoute[] = []
  walk((app as unknown as { router: { stack: StackLayer[] } }).router.stack, '', found)
  return found
}

/**
 * The routes `app` mounts that `document` does not describe, and the operations it describes that
 * `app` does not mount, as `method path` lines; routes whose path `ignore` matches are left out of
 * both (the protocol endpoints, the document itself).
 */
export function undocumentedRoutes(
  app: Express,
  document: { paths: Record<string, Record<string, unknown>> },
  ignore: RegExp,
): { undocumented: string[]; unmounted: string[] } {
  const documented = new Set(
    Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`)),
  )
  const mounted = new Set(
    mountedRoutes(app)
      .filter(({ path }) => !ignore.test(path))
      .map(({ method, path }) => `${method} ${path}`),
  )
  return {
    undocumented: [...mounted].filter((route) => !documented.has(route)).sort(),
    unmounted: [...documented].filter((route) => !mounted.has(route)).sort(),
  }
}
