import type { oas31, ZodOpenApiMediaTypeObject, ZodOpenApiResponseObject, ZodOpenApiResponsesObject } from 'zod-openapi'
import { errorBody } from './errorBody.js'

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

/** A section of a document: its tag name and description. */
export type OpenApiTag = readonly [name: string, description: string]

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
