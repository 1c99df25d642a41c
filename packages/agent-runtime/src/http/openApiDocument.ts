import { webhookOpenApiPaths } from '../webhooks/webhookOpenApi.js'

/** Reusable OpenAPI pieces for the services' documents. */
export const openApi = {
  json: (schema: unknown) => ({ content: { 'application/json': { schema } } }),
  errors: (...codes: number[]) =>
    Object.fromEntries(
      codes.map((code) => [
        String(code),
        { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      ]),
    ),
  idempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'A retry with the same key and body returns the first result instead of creating again (24 h).',
    schema: { type: 'string', maxLength: 255 },
  },
  pathParameter: (name: string, schema: object = { type: 'string' }) => ({ name, in: 'path', required: true, schema }),
}

export interface OpenApiDocumentOptions {
  title: string
  description: string
  serverUrl: string
  paths: Record<string, unknown>
  schemas?: Record<string, unknown>
  /** The role's webhook event types. */
  webhookEvents: string[]
}

/**
 * An OpenAPI 3.1 document with what every Attesto service has: bearer security (admin and
 * tenant keys), the error schema, `POST /tenants`, the webhook endpoints, `/health` and `/ready`.
 */
export function openApiDocument(options: OpenApiDocumentOptions) {
  const { json, errors } = openApi
  return {
    openapi: '3.1.0',
    info: { title: options.title, version: '0.1.0', description: options.description },
    servers: [{ url: options.serverUrl }],
    security: [{ tenantApiKey: [] }],
    paths: {
      '/tenants': {
        post: {
          summary: 'Create a tenant and its first API key (shown once)',
          security: [{ adminApiKey: [] }],
          requestBody: json({
            type: 'object',
            required: ['label'],
            properties: { label: { type: 'string', maxLength: 200 } },
          }),
          responses: {
            '201': {
              description: 'Created',
              ...json({
                type: 'object',
                properties: { id: { type: 'string' }, label: { type: 'string' }, apiKey: { type: 'string' } },
              }),
            },
            ...errors(400, 401),
          },
        },
      },
      ...options.paths,
      ...webhookOpenApiPaths(options.webhookEvents),
      '/admin/queues': {
        get: {
          summary: 'Job counts (waiting, active, delayed, failed, completed) of each queue, for scaling workers',
          security: [{ adminApiKey: [] }],
          responses: { '200': { description: 'OK' }, ...errors(401, 503) },
        },
      },
      '/admin/webhooks/undeliverable': {
        get: {
          summary:
            'Webhook deliveries kept because they could not be handled at all (their tenant is gone): event ids and types, never claims',
          security: [{ adminApiKey: [] }],
          responses: { '200': { description: 'OK' }, ...errors(401) },
        },
      },
      '/health': { get: { summary: 'Liveness', security: [], responses: { '200': { description: 'Alive' } } } },
      '/ready': {
        get: {
          summary: 'Readiness: storage and KMS answer',
          security: [],
          responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready' } },
        },
      },
    },
    components: {
      securitySchemes: {
        adminApiKey: { type: 'http', scheme: 'bearer', description: 'ADMIN_API_KEY from configuration' },
        tenantApiKey: { type: 'http', scheme: 'bearer', description: 'A tenant API key (atk.<tenantId>.<secret>)' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
            },
          },
        },
        ...options.schemas,
      },
    },
  }
}
