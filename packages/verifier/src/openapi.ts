import { openApi, openApiDocument } from '@attesto/agent-runtime'
import { VERIFIER_WEBHOOK_EVENTS } from './webhooks/verifierWebhooks.js'

/** OpenAPI 3.1 description of the verifier REST API, served at `/openapi.json`. */
export function verifierOpenApi(serverUrl: string) {
  const { json, errors, idempotencyKey } = openApi
  const didParameter = { name: 'did', in: 'path', required: true, schema: { type: 'string' } }
  const templateParameter = { name: 'templateId', in: 'path', required: true, schema: { type: 'string' } }
  const reason = {
    type: 'object',
    properties: {
      code: {
        enum: [
          'untrusted_issuer',
          'request_expired',
          'nonce_mismatch',
          'audience_mismatch',
          'invalid_signature',
          'invalid_disclosure',
          'verification_failed',
          'credential_revoked',
          'credential_suspended',
          'status_unavailable',
        ],
      },
      message: { type: 'string' },
      detail: { type: 'string', description: 'Which check failed' },
    },
  }
  const dcql = {
    type: 'object',
    required: ['query'],
    properties: {
      query: {
        type: 'object',
        required: ['credentials'],
        description: 'A DCQL query (OID4VP 1.0 section 6) for dc+sd-jwt credentials',
      },
    },
  }
  return openApiDocument({
    title: 'Attesto verifier API',
    description:
      'Tenants, verifier identities, trusted issuers, and OID4VP 1.0 presentation requests with DCQL for SD-JWT VCs. The OID4VP protocol endpoints are under /oid4vp/{verifierId} (request objects at authorization-requests/{requestId}, responses at authorize).',
    serverUrl,
    webhookEvents: VERIFIER_WEBHOOK_EVENTS,
    paths: {
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
      '/presentation-templates': {
        get: {
          summary: "The tenant's stored DCQL queries",
          responses: { '200': { description: 'OK' }, ...errors(401) },
        },
      },
      '/presentation-templates/{templateId}': {
        put: {
          summary: 'Store (or replace) a DCQL query under a name, for requests to use',
          parameters: [templateParameter],
          requestBody: json({ type: 'object', required: ['dcql'], properties: { label: { type: 'string' }, dcql } }),
          responses: { '200': { description: 'Stored' }, ...errors(400, 401) },
        },
        get: {
          summary: 'A stored template',
          parameters: [templateParameter],
          responses: { '200': { description: 'OK' }, ...errors(401, 404) },
        },
        delete: {
          summary: 'Delete a template',
          parameters: [templateParameter],
          responses: { '204': { description: 'Deleted' }, ...errors(401, 404) },
        },
      },
      '/presentation-requests': {
        post: {
          summary: 'Create an OID4VP request with a DCQL query; returns the openid4vp:// URI',
          parameters: [idempotencyKey],
          requestBody: json({
            type: 'object',
            required: ['verifierId'],
            description: 'Exactly one of dcql and templateId',
            properties: {
              verifierId: { type: 'string' },
              expiresInSeconds: { type: 'integer', minimum: 1, maximum: 604800, default: 300 },
              responseMode: {
                enum: ['direct_post.jwt', 'direct_post'],
                description:
                  'direct_post.jwt: the wallet encrypts its response to the verifier (claims unreadable to proxies on the way); direct_post: a plain form post. Default: direct_post.jwt when the KMS can decrypt ECDH-ES (local), direct_post otherwise (Vault, AWS); direct_post.jwt on such a KMS is 400 response_encryption_unsupported',
              },
              dcql,
              templateId: { type: 'string', description: 'A stored template instead of dcql' },
              statusUnavailable: {
                enum: ['reject', 'accept'],
                description:
                  "When a credential's status list cannot be fetched: reject (status_unavailable) or accept it with statusUnavailable: true in the result. Default: STATUS_UNAVAILABLE_POLICY (reject)",
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
                  uri: { type: 'string', description: 'openid4vp:// with client_id and request_uri' },
                  expiresAt: { type: 'string', format: 'date-time' },
                  responseMode: { enum: ['direct_post.jwt', 'direct_post'] },
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
            'State of a request, as decided once and stored: pending (with refused attempts), verified (with the disclosed claims and their issuer), rejected (with the reason), expired',
          parameters: [{ name: 'requestId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'OK', ...json({ $ref: '#/components/schemas/PresentationResult' }) },
            ...errors(401, 404),
          },
        },
      },
    },
    schemas: {
      PresentationResult: {
        type: 'object',
        properties: {
          requestId: { type: 'string' },
          verifierId: { type: 'string' },
          status: { enum: ['pending', 'verified', 'rejected', 'expired', 'cancelled'] },
          createdAt: { type: 'string', format: 'date-time' },
          expiresAt: { type: 'string', format: 'date-time' },
          decidedAt: { type: 'string', format: 'date-time' },
          responseMode: { enum: ['direct_post.jwt', 'direct_post'] },
          reason,
          refusedAttempts: {
            type: 'array',
            maxItems: 10,
            description: 'The first responses refused while the request stayed open',
            items: { type: 'object', properties: { at: { type: 'string', format: 'date-time' }, reason } },
          },
          refusedAttemptCount: { type: 'integer', description: 'All refused responses' },
          credentials: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                queryId: { type: 'string' },
                issuer: { type: 'string' },
                vct: { type: 'string' },
                claims: { type: 'object', additionalProperties: true },
                statusUnavailable: {
                  type: 'boolean',
                  description: 'Accepted although its status list could not be fetched (the request allowed it)',
                },
              },
            },
          },
        },
      },
    },
  })
}
