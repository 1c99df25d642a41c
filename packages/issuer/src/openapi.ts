import { type OpenApiDocument, openApiDocument, openApiPathsOf, operationsOf } from '@attesto/agent-runtime'
import { ISSUER_FEATURES } from './routes/issuerFeatures.js'
import { ISSUER_WEBHOOK_EVENTS } from './webhooks/issuerWebhooks.js'

/**
 * The OpenAPI 3.1 document of the issuer REST API, served at `/openapi.json` and rendered at
 * `/docs`: the operations its features declare, with the features' sections in their order.
 */
export function issuerOpenApi(serverUrl: string): OpenApiDocument {
  return openApiDocument({
    title: 'Attesto issuer API',
    description:
      'Tenants, issuer identities, credential configurations, OID4VCI pre-authorised offers of SD-JWT VCs (dc+sd-jwt), one at a time or in bulk batches worked by queue workers. The OID4VCI protocol endpoints themselves are under /oid4vci/{issuerId}; each status list token is public at /oid4vci/{issuerId}/status-lists/{listId} (docs/REVOCATION.md).',
    serverUrl,
    webhookEvents: ISSUER_WEBHOOK_EVENTS,
    tags: ISSUER_FEATURES.flatMap((feature) => feature.tags ?? []),
    paths: openApiPathsOf(operationsOf(ISSUER_FEATURES)),
  })
}
