import type { RequestHandler } from 'express'
import { sendEdgeError } from './edgeError.js'

interface MatchedLayer {
  match(path: string): false | { path: string }
  route?: { methods: Record<string, boolean> }
  handle: { stack?: MatchedLayer[] }
}

/** The methods some route of `stack` answers at `path`, walking into mounted routers. */
function allowedMethods(stack: MatchedLayer[], path: string, methods: Set<string>): void {
  for (const layer of stack) {
    const match = layer.match(path)
    if (!match) continue
    if (layer.route) {
      for (const method of Object.keys(layer.route.methods)) {
        if (method === '_all') for (const any of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) methods.add(any)
        else methods.add(method.toUpperCase())
      }
    } else if (layer.handle.stack) {
      const rest = path.slice(match.path.length)
      allowedMethods(layer.handle.stack, rest.startsWith('/') ? rest : `/${rest}`, methods)
    }
  }
}

/**
 * The app's last handler: a request no route answered gets `405 method_not_allowed` with an
 * `Allow` header when the path has routes for other methods, `404 not_found` otherwise, as JSON in
 * the path's error shape (never Express' HTML page). Runs only for unanswered requests.
 */
export const notFound: RequestHandler = (request, response) => {
  const methods = new Set<string>()
  const router = (request.app as unknown as { router: { stack: MatchedLayer[] } }).router
  allowedMethods(router.stack, request.path, methods)
  methods.delete('OPTIONS')
  if (methods.size === 0 || methods.has(request.method)) {
    sendEdgeError(request, response, 404, 'not_found', `No endpoint at ${request.method} ${request.path}`)
    return
  }
  if (methods.has('GET')) methods.add('HEAD')
  const allow = [...methods].sort().join(', ')
  response.set('Allow', allow)
  sendEdgeError(
    request,
    response,
    405,
    'method_not_allowed',
    `${request.path} does not take ${request.method}; it takes ${allow}`,
  )
}
