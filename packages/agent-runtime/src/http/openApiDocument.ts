import {
  createDocument,
  type oas31,
  type ZodOpenApiOperationObject,
  type ZodOpenApiOverride,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi'
import { API_KEY_OPERATIONS } from '../auth/apiKeyRoutes.js'
import { mergeOpenApiPaths } from '../openapi/mergeOpenApiPaths.js'
import { type OpenApiTag, openApi } from '../openapi/openApi.js'
import { getQueueCounts } from '../queues/queueRoutes.js'
import { type Operation, openApiPathsOf } from '../routing/operation.js'
import { listUndeliverableWebhooks } from '../webhooks/undeliverableRoutes.js'
import { webhookEventOpenApi } from '../webhooks/webhookOpenApi.js'
import { webhookOperations } from '../webhooks/webhookRoutes.js'
import { getHealth, getReadiness } from './healthRoutes.js'
import { createApiKeyForTenant, listTenants } from './tenantAdminRoutes.js'
import { createTenant } from './tenantRoutes.js'

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
 * list them itself. The declared operations are left as they are: the answers are added to copies.
 */
function withEdgeAnswers(paths: ZodOpenApiPathsObject): ZodOpenApiPathsObject {
  const { '415': body415, '429': limited429 } = openApi.errors(415, 429) as Record<string, ZodOpenApiResponseObject>
  const withAnswers = (operation: ZodOpenApiOperationObject | undefined) => {
    if (!operation?.responses || typeof operation !== 'object') return operation
    const publicOrAdmin = operation.security !== undefined
    const responses = operation.responses as Record<string, ZodOpenApiResponseObject | undefined>
    return {
      ...operation,
      responses: {
        ...responses,
        ...(operation.requestBody && !responses['415'] ? { '415': body415 } : {}),
        ...(!publicOrAdmin && !responses['429'] ? { '429': limited429 } : {}),
      },
    }
  }
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => [
      path,
      Object.fromEntries(
        Object.entries(item as Record<string, ZodOpenApiOperationObject | undefined>).map(([method, operation]) => [
          method,
          withAnswers(operation),
        ]),
      ),
    ]),
  )
}

/**
 * The operations every service has besides its role's, declared beside their handlers: the tenants
 * and their API keys (before the role's paths), then the webhook endpoints, the admin reports,
 * `/health` and `/ready` (after them).
 */
export function sharedOperations(webhookEvents: readonly string[]): { leading: Operation[]; trailing: Operation[] } {
  return {
    leading: [createTenant, listTenants, createApiKeyForTenant, ...API_KEY_OPERATIONS],
    trailing: [...webhookOperations(webhookEvents), getQueueCounts, listUndeliverableWebhooks, getHealth, getReadiness],
  }
}

/**
 * The OpenAPI 3.1 document of a service, generated from the zod schemas that validate its
 * requests and describe its answers (zod-openapi on zod's own JSON Schema conversion): bearer
 * security (admin and tenant keys), the shared paths, the role's `paths`, the webhook endpoints,
 * and each webhook event under `webhooks`. Build it once, at startup.
 */
export function openApiDocument(options: OpenApiDocumentOptions): OpenApiDocument {
  const shared = sharedOperations(options.webhookEvents)
  const paths = withEdgeAnswers(
    mergeOpenApiPaths(openApiPathsOf(shared.leading), options.paths, openApiPathsOf(shared.trailing)),
  )
  const webhooks = webhookEventOpenApi(options.webhookEvents)
  const used = new Set(
    [...Object.values(paths), ...Object.values(webhooks)].flatMap((item) =>
      Object.values(item as Record<string, { tags?: string[] }>).flatMap((operation) => operation?.tags ?? []),
    ),
  )
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
