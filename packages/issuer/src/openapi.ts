import { openApi, openApiDocument } from '@attesto/agent-runtime'
import { batchOpenApiPaths, batchOpenApiSchemas } from './batches/batchOpenApi.js'
import { OFFER_STATUSES } from './issuance/offerStatus.js'
import { statusOpenApiPaths, statusOpenApiSchemas } from './status/statusOpenApi.js'
import { ISSUER_WEBHOOK_EVENTS } from './webhooks/issuerWebhooks.js'

/** OpenAPI 3.1 description of the issuer REST API, served at `/openapi.json`. */
export function issuerOpenApi(serverUrl: string) {
  const { json, errors, idempotencyKey } = openApi
  return openApiDocument({
    title: 'Attesto issuer API',
    description:
      'Tenants, issuer identities, credential configurations, OID4VCI pre-authorised offers of SD-JWT VCs (dc+sd-jwt), one at a time or in bulk batches worked by queue workers. The OID4VCI protocol endpoints themselves are under /oid4vci/{issuerId}; each status list token is public at /oid4vci/{issuerId}/status-lists/{listId} (docs/REVOCATION.md).',
    serverUrl,
    webhookEvents: ISSUER_WEBHOOK_EVENTS,
    paths: {
      '/issuers': {
        post: {
          summary:
            'Create an issuer identity: a key in the issuer KMS, a did:jwk or did:key, an OID4VCI credential issuer',
          parameters: [idempotencyKey],
          requestBody: json({
            type: 'object',
            properties: {
              didMethod: { enum: ['jwk', 'key'], default: 'jwk' },
              keyType: { enum: ['P-256', 'Ed25519'], default: 'P-256' },
              display: { $ref: '#/components/schemas/Display' },
            },
          }),
          responses: {
            '201': { description: 'Created', ...json({ $ref: '#/components/schemas/Issuer' }) },
            ...errors(400, 401, 409, 422, 503),
          },
        },
      },
      '/issuers/{issuerId}': {
        get: {
          summary: 'An issuer identity and its credential configurations',
          parameters: [{ name: 'issuerId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'OK', ...json({ $ref: '#/components/schemas/Issuer' }) },
            ...errors(401, 404),
          },
        },
        patch: {
          summary: 'Change how wallets show the issuer (name, logo, per locale)',
          parameters: [{ name: 'issuerId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: json({
            type: 'object',
            required: ['display'],
            properties: { display: { $ref: '#/components/schemas/Display' } },
          }),
          responses: {
            '200': { description: 'OK', ...json({ $ref: '#/components/schemas/Issuer' }) },
            ...errors(400, 401, 404),
          },
        },
      },
      '/issuers/{issuerId}/credential-configurations/{configurationId}': {
        put: {
          summary:
            'Define (or replace) a credential configuration: vct, claims, which claims are selectively disclosable',
          parameters: [
            { name: 'issuerId', in: 'path', required: true, schema: { type: 'string' } },
            {
              name: 'configurationId',
              in: 'path',
              required: true,
              schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
            },
          ],
          requestBody: json({ $ref: '#/components/schemas/CredentialConfigurationInput' }),
          responses: {
            '200': { description: 'Saved', ...json({ $ref: '#/components/schemas/CredentialConfiguration' }) },
            ...errors(400, 401, 404),
          },
        },
      },
      '/offers': {
        post: {
          summary: 'Create a pre-authorised credential offer; returns the openid-credential-offer:// URI',
          parameters: [idempotencyKey],
          requestBody: json({
            type: 'object',
            required: ['issuerId', 'credentialConfigurationId'],
            properties: {
              issuerId: { type: 'string' },
              credentialConfigurationId: { type: 'string' },
              claims: {
                type: 'object',
                additionalProperties: true,
                description: 'Required, except for a deferred configuration (claims approved later)',
              },
              txCode: {
                oneOf: [
                  { const: false },
                  { type: 'object', properties: { length: { type: 'integer', minimum: 4, maximum: 8 } } },
                ],
              },
              expiresInSeconds: { type: 'integer', minimum: 60, maximum: 2592000, default: 604800 },
              credentialValidFrom: {
                type: 'string',
                format: 'date-time',
                description: 'The credential is valid from then (its nbf)',
              },
              credentialValidUntil: {
                type: 'string',
                format: 'date-time',
                description:
                  "The credential's exp: after now and its start, at most the configuration's validitySeconds from now (400 invalid_validity otherwise)",
              },
            },
          }),
          responses: {
            '201': {
              description: 'Created',
              ...json({
                type: 'object',
                properties: {
                  offerId: { type: 'string' },
                  uri: { type: 'string' },
                  txCode: { type: 'string', description: 'Present when a transaction code was requested' },
                  expiresAt: { type: 'string', format: 'date-time' },
                },
              }),
            },
            ...errors(400, 401, 404, 409, 422, 503),
          },
        },
      },
      '/offers/{offerId}/claims': {
        put: {
          summary:
            'Approve the claims of a deferred offer; queued, then the wallet’s next deferred-credential request gets the credential',
          parameters: [{ name: 'offerId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: json({
            type: 'object',
            required: ['claims'],
            properties: { claims: { type: 'object', additionalProperties: true } },
          }),
          responses: { '202': { description: 'Queued' }, ...errors(400, 401, 404, 409, 503) },
        },
      },
      ...batchOpenApiPaths,
      ...statusOpenApiPaths,
      '/offers/{offerId}': {
        get: {
          summary:
            'Offer status: offered, token_issued, credential_pending (deferred), credential_issued, expired or failed',
          parameters: [{ name: 'offerId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'OK', ...json({ $ref: '#/components/schemas/OfferStatus' }) },
            ...errors(401, 404),
          },
        },
      },
    },
    schemas: {
      ...batchOpenApiSchemas,
      ...statusOpenApiSchemas,
      Issuer: {
        type: 'object',
        properties: {
          issuerId: { type: 'string' },
          did: { type: 'string' },
          credentialIssuer: { type: 'string', format: 'uri' },
          credentialConfigurations: {
            type: 'array',
            items: { $ref: '#/components/schemas/CredentialConfiguration' },
          },
          display: { $ref: '#/components/schemas/Display' },
        },
      },
      Display: {
        type: 'array',
        description: 'How wallets show a name, per locale (OID4VCI 1.0 display)',
        minItems: 1,
        maxItems: 20,
        items: {
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string' },
            locale: { type: 'string', description: 'BCP 47 language tag' },
            description: { type: 'string' },
            logo: {
              type: 'object',
              required: ['uri'],
              properties: { uri: { type: 'string', format: 'uri' }, alt_text: { type: 'string' } },
            },
            background_color: { type: 'string', pattern: '^#[0-9A-Fa-f]{6}$' },
            text_color: { type: 'string', pattern: '^#[0-9A-Fa-f]{6}$' },
          },
        },
      },
      CredentialConfigurationInput: {
        type: 'object',
        required: ['vct', 'claims'],
        properties: {
          vct: { type: 'string', format: 'uri' },
          deferred: {
            type: 'boolean',
            default: false,
            description: 'Issued later: credential requests are deferred until PUT /offers/{offerId}/claims',
          },
          validitySeconds: {
            type: 'integer',
            minimum: 60,
            default: 31536000,
            description: 'How long an issued credential is valid (its exp); an offer may end it earlier',
          },
          display: { $ref: '#/components/schemas/Display' },
          claims: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['name', 'type'],
              properties: {
                name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' },
                type: { enum: ['string', 'number', 'boolean', 'date'] },
                required: { type: 'boolean', default: false },
                selectivelyDisclosable: { type: 'boolean', default: true },
                display: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['name'],
                    properties: { name: { type: 'string' }, locale: { type: 'string' } },
                  },
                },
              },
            },
          },
          revocable: {
            type: 'boolean',
            default: true,
            description: 'Credentials carry a Token Status List entry (status.status_list) and can be revoked',
          },
          suspendable: {
            type: 'boolean',
            default: true,
            description: 'Suspension too: 2 bits per status list entry instead of 1',
          },
        },
      },
      CredentialConfiguration: {
        allOf: [
          { $ref: '#/components/schemas/CredentialConfigurationInput' },
          { type: 'object', properties: { id: { type: 'string' } } },
        ],
      },
      OfferStatus: {
        type: 'object',
        properties: {
          offerId: { type: 'string' },
          issuerId: { type: 'string' },
          credentialConfigurationIds: { type: 'array', items: { type: 'string' } },
          status: {
            enum: OFFER_STATUSES,
            description: 'failed: the offer is void (for example after too many wrong transaction codes)',
          },
          createdAt: { type: 'string', format: 'date-time' },
          expiresAt: { type: 'string', format: 'date-time' },
          issuedAt: { type: 'string', format: 'date-time' },
          credentialStatus: { $ref: '#/components/schemas/CredentialStatus' },
        },
      },
    },
  })
}
