import { type OpenApiDocument, openApiDocument } from '@attesto/agent-runtime'
import { VERIFIER_TAGS, verifierRestPaths } from './compose/verifierRestApi.js'
import { VERIFIER_WEBHOOK_EVENTS } from './webhooks/verifierWebhooks.js'

/**
 * The OpenAPI 3.1 document of the verifier REST API, served at `/openapi.json` and rendered at
 * `/docs`: generated from the operations its features declare beside their handlers
 * (compose/verifierRestApi.ts), the same list the router mounts.
 */
export function verifierOpenApi(serverUrl: string): OpenApiDocument {
  return openApiDocument({
    title: 'Attesto verifier API',
    description:
      'Tenants, verifier identities, trusted issuers, and OID4VP 1.0 presentation requests with DCQL for SD-JWT VCs. The OID4VP protocol endpoints are under /oid4vp/{verifierId} (request objects at authorization-requests/{requestId}, responses at authorize).',
    serverUrl,
    webhookEvents: VERIFIER_WEBHOOK_EVENTS,
    tags: VERIFIER_TAGS,
    paths: verifierRestPaths(),
  })
}
