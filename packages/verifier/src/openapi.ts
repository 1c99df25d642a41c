/** OpenAPI 3.1 description of the verifier REST API, served at `/openapi.json`. */
export function verifierOpenApi(serverUrl: string) {
  const error = { $ref: '#/components/schemas/Error' }
  const errors = (...codes: number[]) =>
    Object.fromEntries(
      codes.map((code) => [String(code), { description: 'Error', content: { 'application/json': { schema: error } } }]),
    )
  const json = (schema: unknown) => ({ content: { 'application/json': { schema } } })
  const idempotencyKey = {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'A retry with the same key and body returns the first result instead of creating again (24 h).',
    schema: { type: 'string', maxLength: 255 },
  }
  const didParameter = { name: 'did', in: 'path', required: true, schema: { type: 'string' } }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Attesto verifier API',
      version: '0.1.0',
      description:
        'Tenants, verifier identities, trusted issuers, and OID4VP 1.0 presentation requests with DCQL for SD-JWT VCs. The OID4VP protocol endpoints are under /oid4vp/{verifierId}.',
    },
    servers: [{ url: serverUrl }],
    security: [{ tenantApiKey: [] }],
    paths: {
      '/tenants': {
        post: {
          summary: 'Create a tenant and its first API key (shown once)',
          security: [{ adminApiKey: [] }],
          requestBody: json({ type: 'object', required: ['label'], properties: { label: { type: 'string' } } }),
          responses: { '201': { description: 'Created' }, ...errors(400, 401) },
        },
      },
      '/verifiers': {
        post: {
          summary: 'Create a verifier identity: a key in the verifier KMS and the DID that signs its requests',
          parameters: [idempotencyKey],
          requestBody: json({ type: 'object', properties: { didMethod: { enum: ['jwk', 'key'], default: 'jwk' } } }),
          responses: {
            '201': {
              description: 'Created',
              ...json({ type: 'object', properties: { verifierId: { type: 'string' }, did: { type: 'string' } } }),
            },
            ...errors(400, 401, 409, 422, 503),
          },
        },
      },
      '/verifiers/{verifierId}': {
        get: {
          summary: 'A verifier identity',
          parameters: [{ name: 'verifierId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'OK' }, ...errors(401, 404) },
        },
      },
      '/trusted-issuers': {
        get: { summary: "The tenant's trusted issuers", responses: { '200': { description: 'OK' }, ...errors(401) } },
      },
      '/trusted-issuers/{did}': {
        put: {
          summary: 'Trust an issuer DID',
          parameters: [didParameter],
          requestBody: json({ type: 'object', properties: { label: { type: 'string' } } }),
          responses: { '200': { description: 'Trusted' }, ...errors(400, 401) },
        },
        delete: {
          summary: 'Stop trusting an issuer DID',
          parameters: [didParameter],
          responses: { '204': { description: 'Removed' }, ...errors(401, 404) },
        },
      },
      '/presentation-requests': {
        post: {
          summary: 'Create an OID4VP request with a DCQL query; returns the openid4vp:// URI',
          parameters: [idempotencyKey],
          requestBody: json({
            type: 'object',
            required: ['verifierId', 'dcql'],
            properties: {
              verifierId: { type: 'string' },
              dcql: {
                type: 'object',
                required: ['query'],
                properties: {
                  query: {
                    type: 'object',
                    required: ['credentials'],
                    description: 'A DCQL query (OID4VP 1.0 section 6) for dc+sd-jwt credentials',
                  },
                },
              },
            },
          }),
          responses: {
            '201': {
              description: 'Created',
              ...json({
                type: 'object',
                properties: {
                  requestId: { type: 'string' },
                  uri: { type: 'string' },
                  expiresAt: { type: 'string', format: 'date-time' },
                },
              }),
            },
            ...errors(400, 401, 404, 409, 422, 503),
          },
        },
      },
      '/presentation-requests/{requestId}': {
        get: {
          summary:
            'State of a request: pending, verified (with the disclosed claims and their issuer), rejected (with the reason), expired',
          parameters: [{ name: 'requestId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'OK', ...json({ $ref: '#/components/schemas/PresentationResult' }) },
            ...errors(401, 404),
          },
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
        PresentationResult: {
          type: 'object',
          properties: {
            requestId: { type: 'string' },
            verifierId: { type: 'string' },
            status: { enum: ['pending', 'verified', 'rejected', 'expired'] },
            reason: {
              type: 'object',
              properties: { code: { enum: ['verification_failed', 'untrusted_issuer'] }, message: { type: 'string' } },
            },
            credentials: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  queryId: { type: 'string' },
                  issuer: { type: 'string' },
                  vct: { type: 'string' },
                  claims: { type: 'object', additionalProperties: true },
                },
              },
            },
          },
        },
      },
    },
  }
}
