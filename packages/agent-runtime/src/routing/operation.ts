import type { ErrorRequestHandler, Request, RequestHandler } from 'express'
import type { z } from 'zod'
import type {
  ZodOpenApiMediaTypeObject,
  ZodOpenApiOperationObject,
  ZodOpenApiPathsObject,
  ZodOpenApiResponsesObject,
} from 'zod-openapi'
import type { BodyType } from '../edge/bodyTypes.js'
import type { AddressBucket } from '../edge/rateLimits.js'

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete'

/** What the edge does in front of an operation, before its handler reads anything. */
export interface OperationEdge {
  /**
   * The body types it takes (`415 unsupported_media_type` otherwise): `['json']` unless said (a
   * REST operation with a body), `['form']` for an OAuth endpoint, `['json', 'csv']` for a bulk upload.
   */
  bodyTypes?: BodyType[]
  /**
   * A REST body above the 1 MiB default: read only after authentication, through the large-body
   * gate, up to the limit its route is bound with ({@link BoundRoute.maxBodyBytes}).
   */
  largeBody?: boolean
  /** A public protocol endpoint's per-address rate-limit bucket (REST operations count per tenant). */
  bucket?: AddressBucket
}

/** The request body: its schema (what the handler parses), other media types it may come in, examples. */
export interface OperationBody<Body extends z.ZodType> {
  schema: Body
  required?: boolean
  /** Other media types than JSON it may come as (a CSV upload), as OpenAPI describes them. */
  otherMediaTypes?: Record<string, ZodOpenApiMediaTypeObject>
}

/**
 * One HTTP operation, declared once: its method and path (OpenAPI's `{name}` form), the OpenAPI
 * fields (`operationId`, `tags`, `summary`, `description`, `security`, header `parameters`), the
 * schemas of its path, query and body (the ones its handler parses them with), its answers, and
 * its edge class. From it the router mounts the handler ({@link routerOf}) and the service's
 * OpenAPI document is generated ({@link openApiPathsOf}).
 */
export interface OperationSpec<
  Params extends z.ZodObject = z.ZodObject,
  Query extends z.ZodObject = z.ZodObject,
  Body extends z.ZodType = z.ZodType,
> extends Omit<ZodOpenApiOperationObject, 'requestParams' | 'requestBody' | 'responses' | 'operationId'> {
  method: HttpMethod
  path: string
  operationId: string
  params?: Params
  query?: Query
  body?: OperationBody<Body>
  responses: ZodOpenApiResponsesObject
  edge?: OperationEdge
  /**
   * Left out of the REST API's OpenAPI document, with the reason (the protocol endpoints, which
   * their specifications describe).
   */
  undocumented?: string
}

/** An operation's handlers, bound to the services they use. */
export interface BoundRoute {
  operation: Operation
  /** Its middlewares and handler, in order (an error handler among them answers its own errors). */
  handlers: (RequestHandler | ErrorRequestHandler)[]
  /** The body limit of a `largeBody` operation, in bytes. */
  maxBodyBytes?: number
}

/** A declared operation, and how its handler reads its input with the declared schemas. */
export interface Operation<
  Params extends z.ZodObject = z.ZodObject,
  Query extends z.ZodObject = z.ZodObject,
  Body extends z.ZodType = z.ZodType,
> {
  readonly spec: OperationSpec<Params, Query, Body>
  /** The path as express mounts it (`/offers/:offerId/status`). */
  readonly expressPath: string
  /** The path parameters, parsed with the declared schema (a ZodError answers 400 `invalid_request`). */
  params(request: Request): z.output<Params>
  /** The query, parsed with the declared schema. */
  query(request: Request): z.output<Query>
  /** The JSON body, parsed with the declared schema. */
  body(request: Request): z.output<Body>
  /**
   * This operation served by `handlers` (the last one answers); `errors`, if given, handles the
   * errors of these handlers only (a body this operation alone parses, say), after them.
   */
  handle(
    handlers: RequestHandler | RequestHandler[],
    options?: { maxBodyBytes?: number; errors?: ErrorRequestHandler },
  ): BoundRoute
}

/** Declares an operation ({@link OperationSpec}). */
export function operation<Params extends z.ZodObject, Query extends z.ZodObject, Body extends z.ZodType>(
  spec: OperationSpec<Params, Query, Body>,
): Operation<Params, Query, Body> {
  const parse = <Schema extends z.ZodType>(schema: Schema | undefined, value: unknown, part: string) => {
    if (!schema) throw new Error(`${spec.operationId} declares no ${part}`)
    return schema.parse(value) as z.output<Schema>
  }
  const declared: Operation<Params, Query, Body> = {
    spec,
    expressPath: spec.path.replace(/\{([^}]+)\}/g, ':$1'),
    params: (request) => parse(spec.params, request.params, 'path parameters'),
    query: (request) => parse(spec.query, request.query, 'query'),
    body: (request) => parse(spec.body?.schema, request.body, 'body'),
    handle: (handlers, options = {}) => ({
      operation: declared as unknown as Operation,
      handlers: [...(Array.isArray(handlers) ? handlers : [handlers]), ...(options.errors ? [options.errors] : [])],
      ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
    }),
  }
  return declared
}

/** The OpenAPI path items of `operations`, in their order; an operation given twice throws. */
export function openApiPathsOf(operations: readonly Operation[]): ZodOpenApiPathsObject {
  const paths: Record<string, Record<string, ZodOpenApiOperationObject>> = {}
  for (const { spec } of operations) {
    if (spec.undocumented) continue
    const { method, path, params, query, body, edge: _edge, undocumented: _undocumented, ...fields } = spec
    paths[path] ??= {}
    const item = paths[path]
    if (item[method]) throw new Error(`OpenAPI: ${method} ${path} is described twice`)
    item[method] = {
      ...fields,
      ...(params || query
        ? { requestParams: { ...(params ? { path: params } : {}), ...(query ? { query } : {}) } }
        : {}),
      ...(body
        ? {
            requestBody: {
              ...(body.required ? { required: true } : {}),
              content: { 'application/json': { schema: body.schema }, ...body.otherMediaTypes },
            },
          }
        : {}),
    }
  }
  return paths
}
