import {
  createDocument,
  type oas31,
  type ZodOpenApiMediaTypeObject,
  type ZodOpenApiOperationObject,
  type ZodOpenApiOverride,
  type ZodOpenApiPathItemObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi'
import { webhookEventOpenApi, webhookOpenApiPaths } from '../webhooks/webhookOpenApi.js'
import {
  createdTenantResponse,
  errorBody,
  healthResponse,
  queueCountsResponse,
  readinessResponse,
  undeliverableResponse,
} from './apiResponses.js'
import { runtimeManagementOpenApiPaths } from './managementOpenApi.js'
import { createTenantInput } from './tenantRoutes.js'

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid (`invalid_request`, `invalid_json` or a more precise code)',
  401: 'No API key, or not one of this service (`unauthorized`)',
  404: 'Not found in this tenant',
  409: 'Conflicts with the current state',
  413: 'The body is too large (`payload_too_large`, `batch_too_large`)',
  415: 'The body is not of a content type this operation takes (`unsupported_media_type`)',
  422: 'This Idempotency-Key was used with another request (`idempotency_key_reused`)',
  429: 'Too many requests of this tenant (API_REQUESTS_PER_MINUTE_PER_TENANT): wait as long as Retry-After says (`too_many_requests`)',
  503: 'A backing service (storage, KMS, queue) is unavailable; retry later',
}

/** A zod schema, or plain JSON Schema. */
type Schema = NonNullable<ZodOpenApiMediaTypeObject['schema']>

/** Reusable OpenAPI pieces for the services' documents; schemas may be zod schemas or plain JSON Schema. */
export const openApi = {
  json: (schema: Schema) => ({ content: { 'application/json': { schema } } }),
  /** A response with a JSON body of `schema`. */
  answer: (description: string, schema: Schema): ZodOpenApiResponseObject => ({
    description,
    content: { 'application/json': { schema } },
  }),
  /** The error answers (the `Error` body) of `codes`. */
  errors: (...codes: number[]): ZodOpenApiResponsesObject =>
    Object.fromEntries(
      codes.map((code) => [
        String(code),
        {
          description: ERROR_DESCRIPTIONS[code] ?? 'Error',
          content: { 'application/json': { schema: errorBody } },
        },
      ]),
    ),
  idempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header' as const,
    required: false,
    description: 'A retry with the same key and body returns the first result instead of creating again (24 h).',
    schema: { type: 'string' as const, minLength: 1, maxLength: 255 },
  },
  pathParameter: (name: string, schema: oas31.SchemaObject = { type: 'string' }) => ({
    name,
    in: 'path' as const,
    required: true,
    schema,
  }),
}

/** A generated document. */
export type OpenApiDocument = oas31.OpenAPIObject

/** Path items whose schemas are zod schemas (or plain JSON Schema). */
export type OpenApiPaths = ZodOpenApiPathsObject

export interface OpenApiDocumentOptions {
  title: string
  description: string
  serverUrl: string
  /** The role's paths (zod schemas or plain JSON Schema), joined with the shared ones ({@link mergeOpenApiPaths}). */
  paths: ZodOpenApiPathsObject
  /** Hand-written component schemas, if any (the generated ones are named by their `.meta({ id })`). */
  schemas?: Record<string, oas31.SchemaObject>
  /** The role's webhook event types. */
  webhookEvents: readonly string[]
}

/**
 * Leaves out what zod writes only for its own checks and a reader gains nothing from: the regular
 * expression of an ISO date-time (its `format` says it) and integer bounds that are just
 * JavaScript's safe-integer range.
 */
const readableSchema: ZodOpenApiOverride = ({ jsonSchema }) => {
  if (jsonSchema.format === 'date-time') delete jsonSchema.pattern
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum
}

/** The document's sections, in reading order (Redoc's sidebar). */
const TAGS = [
  ['Tenants', 'Tenants and their API keys (admin key)'],
  ['Issuers', 'Issuer identities: a key, a DID, an OID4VCI credential issuer'],
  ['Credential configurations', 'What an issuer issues: an SD-JWT VC type and its claims'],
  ['Offers', 'Pre-authorised credential offers, one at a time'],
  ['Offer batches', 'Offers in bulk, made by queue workers'],
  ['Credential status', 'Revocation and suspension through Token Status Lists'],
  ['Verifiers', 'Verifier identities: the key and DID that sign requests'],
  ['Trusted issuers', 'The issuer DIDs whose credentials a tenant accepts'],
  ['Trust anchors', 'CA certificates that credentials signed under X.509 chains (x5c) must lead to'],
  ['Presentation templates', 'Stored DCQL queries'],
  ['Presentation requests', 'OID4VP requests and their results'],
  ['Webhooks', 'Endpoints that receive signed events, and their dead letters'],
  ['Operations', 'Health, readiness and the operator’s reports (admin key)'],
  ['Webhook events', 'What a registered endpoint receives'],
] as const

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

/**
 * The answers the edge gives every operation of its kind (docs/SECURITY.md): `415` where a body
 * is taken, `429` where a tenant key is (its per-tenant limit). Added where an operation does not
 * list them itself.
 */
function withEdgeAnswers(paths: ZodOpenApiPathsObject): void {
  const { '415': body415, '429': limited429 } = openApi.errors(415, 429) as Record<string, ZodOpenApiResponseObject>
  for (const item of Object.values(paths)) {
    for (const operation of Object.values(item as Record<string, ZodOpenApiOperationObject | undefined>)) {
      if (!operation?.responses || typeof operation !== 'object') continue
      const publicOrAdmin = operation.security !== undefined
      const responses = operation.responses as Record<string, ZodOpenApiResponseObject | undefined>
      if (operation.requestBody && !responses['415']) responses['415'] = body415
      if (!publicOrAdmin && !responses['429']) responses['429'] = limited429
    }
  }
}

/** `POST /tenants`, the admin reports, `/health` and `/ready`: what every service has besides its role's routes. */
function sharedPaths(): ZodOpenApiPathsObject {
  const { json, answer, errors } = openApi
  return {
    '/tenants': {
      post: {
        operationId: 'createTenant',
        tags: ['Tenants'],
        summary: 'Create a tenant and its first API key (shown once)',
        security: [{ adminApiKey: [] }],
        requestBody: { required: true, ...json(createTenantInput.meta({ examples: [{ label: 'University' }] })) },
        responses: { '201': answer('Created', createdTenantResponse), ...errors(400, 401) },
      },
    },
    '/admin/queues': {
      get: {
        operationId: 'getQueueCounts',
        tags: ['Operations'],
        summary: 'Job counts (waiting, active, delayed, failed, completed) of each queue, for scaling workers',
        security: [{ adminApiKey: [] }],
        responses: { '200': answer('OK', queueCountsResponse), ...errors(401, 503) },
      },
    },
    '/admin/webhooks/undeliverable': {
      get: {
        operationId: 'listUndeliverableWebhooks',
        tags: ['Operations'],
        summary:
          'Webhook deliveries kept because they could not be handled at all (their tenant is gone): event ids and types, never claims',
        security: [{ adminApiKey: [] }],
        responses: { '200': answer('OK', undeliverableResponse), ...errors(401) },
      },
    },
    '/health': {
      get: {
        operationId: 'getHealth',
        tags: ['Operations'],
        summary: 'Liveness',
        security: [],
        responses: { '200': answer('Alive', healthResponse) },
      },
    },
    '/ready': {
      get: {
        operationId: 'getReadiness',
        tags: ['Operations'],
        summary: 'Readiness: storage and KMS answer',
        security: [],
        responses: { '200': answer('Ready', readinessResponse), '503': answer('Not ready', readinessResponse) },
      },
    },
  }
}

/**
 * The OpenAPI 3.1 document of a service, generated from the zod schemas that validate its
 * requests and describe its answers (zod-openapi on zod's own JSON Schema conversion): bearer
 * security (admin and tenant keys), the shared paths, the role's `paths`, the webhook endpoints,
 * and each webhook event under `webhooks`. Build it once, at startup.
 */
export function openApiDocument(options: OpenApiDocumentOptions): OpenApiDocument {
  const { '/tenants': tenants, ...operations } = sharedPaths()
  const paths = mergeOpenApiPaths(
    { '/tenants': tenants as ZodOpenApiPathItemObject },
    runtimeManagementOpenApiPaths(),
    options.paths,
    webhookOpenApiPaths(options.webhookEvents),
    operations,
  )
  const webhooks = webhookEventOpenApi(options.webhookEvents)
  const used = new Set(
    [...Object.values(paths), ...Object.values(webhooks)].flatMap((item) =>
      Object.values(item as Record<string, { tags?: string[] }>).flatMap((operation) => operation?.tags ?? []),
    ),
  )
  withEdgeAnswers(paths)
  return createDocument(
    {
      openapi: '3.1.0',
      info: {
        title: options.title,
        version: '0.1.0',
        description: options.description,
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: options.serverUrl }],
      tags: TAGS.filter(([name]) => used.has(name)).map(([name, description]) => ({ name, description })),
      security: [{ tenantApiKey: [] }],
      paths,
      webhooks,
      components: {
        securitySchemes: {
          adminApiKey: { type: 'http', scheme: 'bearer', description: 'ADMIN_API_KEY from configuration' },
          tenantApiKey: { type: 'http', scheme: 'bearer', description: 'A tenant API key (atk.<tenantId>.<secret>)' },
        },
        ...(options.schemas ? { schemas: options.schemas } : {}),
      },
    },
    { outputIdSuffix: 'Output', override: readableSchema },
  )
}
