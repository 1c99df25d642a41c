import {
  createDocument,
  type oas31,
  type ZodOpenApiOperationObject,
  type ZodOpenApiOverride,
  type ZodOpenApiPathItemObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi'
import { mergeOpenApiPaths } from '../openapi/mergeOpenApiPaths.js'
import { type OpenApiTag, openApi } from '../openapi/openApi.js'
import { webhookEventOpenApi, webhookOpenApiPaths } from '../webhooks/webhookOpenApi.js'
import {
  createdTenantResponse,
  healthResponse,
  queueCountsResponse,
  readinessResponse,
  undeliverableResponse,
} from './apiResponses.js'
import { runtimeManagementOpenApiPaths } from './managementOpenApi.js'
import { createTenantInput } from './tenantRoutes.js'

export type { OpenApiTag }

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
  /** The role's sections (tag name and description), in reading order, between the tenants and the webhooks. */
  tags: readonly OpenApiTag[]
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

/** The sections every service has, before and after the role's own (Redoc's sidebar order). */
const LEADING_TAGS: readonly OpenApiTag[] = [['Tenants', 'Tenants and their API keys (admin key)']]
const TRAILING_TAGS: readonly OpenApiTag[] = [
  ['Webhooks', 'Endpoints that receive signed events, and their dead letters'],
  ['Operations', 'Health, readiness and the operator’s reports (admin key)'],
  ['Webhook events', 'What a registered endpoint receives'],
]

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
      tags: [...LEADING_TAGS, ...options.tags, ...TRAILING_TAGS]
        .filter(([name]) => used.has(name))
        .map(([name, description]) => ({ name, description })),
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
