import {
  mergeOpenApiPaths,
  type OpenApiDocument,
  type OpenApiPaths,
  openApi,
  openApiDocument,
} from '@attesto/agent-runtime'
import { z } from 'zod'
import { verifierManagementOpenApiPaths } from './management/managementOpenApi.js'
import { verifierCertificateOpenApiPaths } from './routes/certificateOpenApi.js'
import { listTemplatesQuery, listTrustAnchorsQuery, listTrustedIssuersQuery } from './routes/listRoutes.js'
import { createPresentationRequestInput } from './routes/presentationRoutes.js'
import {
  createdPresentationRequestResponse,
  presentationResultResponse,
  templatePageResponse,
  templateResponse,
  trustAnchorPageResponse,
  trustAnchorResponse,
  trustedIssuerPageResponse,
  trustedIssuerResponse,
  verifierResponse,
} from './routes/responses.js'
import { responseCodeRefused, sameDeviceOpenApiPaths } from './routes/sameDeviceOpenApi.js'
import { templateId, templateInput } from './routes/templateRoutes.js'
import { anchorId, trustAnchorInput } from './routes/trustAnchorRoutes.js'
import { createVerifierInput, did, trustedIssuerInput } from './routes/verifierRoutes.js'
import { VERIFIER_WEBHOOK_EVENTS } from './webhooks/verifierWebhooks.js'

const { json, answer, errors, idempotencyKey } = openApi
const didPath = z.object({ did })
const templatePath = z.object({ templateId })
const dcqlExample = {
  query: {
    credentials: [
      {
        id: 'diploma',
        format: 'dc+sd-jwt',
        meta: { vct_values: ['https://university.example/credentials/diploma'] },
        claims: [{ path: ['given_name'] }, { path: ['degree'] }],
      },
      {
        id: 'licence',
        format: 'mso_mdoc',
        meta: { doctype_value: 'org.iso.18013.5.1.mDL' },
        claims: [
          { path: ['org.iso.18013.5.1', 'family_name'], intent_to_retain: false },
          { path: ['org.iso.18013.5.1', 'age_over_18'] },
        ],
      },
    ],
  },
}

/** Verifier identities and trusted issuers. */
const verifierPaths: OpenApiPaths = {
  '/verifiers': {
    post: {
      operationId: 'createVerifier',
      tags: ['Verifiers'],
      summary: 'Create a verifier identity: a key in the verifier KMS and the DID that signs its requests',
      parameters: [idempotencyKey],
      requestBody: json(createVerifierInput.meta({ examples: [{ didMethod: 'jwk' }] })),
      responses: { '201': answer('Created', verifierResponse), ...errors(400, 401, 409, 422, 503) },
    },
  },
  '/verifiers/{verifierId}': {
    get: {
      operationId: 'getVerifier',
      tags: ['Verifiers'],
      summary: 'A verifier identity',
      requestParams: { path: z.object({ verifierId: z.string() }) },
      responses: { '200': answer('OK', verifierResponse), ...errors(401, 404) },
    },
  },
  '/trusted-issuers': {
    get: {
      operationId: 'listTrustedIssuers',
      tags: ['Trusted issuers'],
      summary: "The tenant's trusted issuers, page by page",
      requestParams: { query: listTrustedIssuersQuery },
      responses: { '200': answer('OK', trustedIssuerPageResponse), ...errors(400, 401) },
    },
  },
  '/trusted-issuers/{did}': {
    put: {
      operationId: 'trustIssuer',
      tags: ['Trusted issuers'],
      summary: 'Trust an issuer DID (URL-encode it in the path)',
      requestParams: { path: didPath },
      requestBody: json(trustedIssuerInput.meta({ examples: [{ label: 'University of Examples' }] })),
      responses: { '200': answer('Trusted', trustedIssuerResponse), ...errors(400, 401) },
    },
    delete: {
      operationId: 'untrustIssuer',
      tags: ['Trusted issuers'],
      summary: 'Stop trusting an issuer DID',
      requestParams: { path: didPath },
      responses: { '204': { description: 'Removed' }, ...errors(401, 404) },
    },
  },
  '/trust-anchors': {
    get: {
      operationId: 'listTrustAnchors',
      tags: ['Trust anchors'],
      summary: "The tenant's X.509 trust anchors, page by page",
      requestParams: { query: listTrustAnchorsQuery },
      responses: { '200': answer('OK', trustAnchorPageResponse), ...errors(400, 401) },
    },
  },
  '/trust-anchors/{anchorId}': {
    put: {
      operationId: 'putTrustAnchor',
      tags: ['Trust anchors'],
      summary:
        'Trust a CA certificate: credentials whose x5c chain leads to it come from trusted issuers (400 certificate_* when it is not a CA certificate in validity)',
      requestParams: { path: z.object({ anchorId }) },
      requestBody: json(
        trustAnchorInput.meta({
          examples: [
            {
              certificate: '-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----',
              label: 'National issuing CA',
            },
          ],
        }),
      ),
      responses: { '200': answer('Trusted', trustAnchorResponse), ...errors(400, 401) },
    },
    get: {
      operationId: 'getTrustAnchor',
      tags: ['Trust anchors'],
      summary: 'A trust anchor',
      requestParams: { path: z.object({ anchorId }) },
      responses: { '200': answer('OK', trustAnchorResponse), ...errors(400, 401, 404) },
    },
    delete: {
      operationId: 'removeTrustAnchor',
      tags: ['Trust anchors'],
      summary: 'Stop trusting a CA certificate',
      requestParams: { path: z.object({ anchorId }) },
      responses: { '204': { description: 'Removed' }, ...errors(400, 401, 404) },
    },
  },
}

/** Stored DCQL queries, and presentation requests. */
const presentationPaths: OpenApiPaths = {
  '/presentation-templates': {
    get: {
      operationId: 'listPresentationTemplates',
      tags: ['Presentation templates'],
      summary: "The tenant's stored DCQL queries, page by page",
      requestParams: { query: listTemplatesQuery },
      responses: { '200': answer('OK', templatePageResponse), ...errors(400, 401) },
    },
  },
  '/presentation-templates/{templateId}': {
    put: {
      operationId: 'putPresentationTemplate',
      tags: ['Presentation templates'],
      summary: 'Store (or replace) a DCQL query under a name, for requests to use',
      requestParams: { path: templatePath },
      requestBody: {
        required: true,
        ...json(templateInput.meta({ examples: [{ label: 'Diploma check', dcql: dcqlExample }] })),
      },
      responses: { '200': answer('Stored', templateResponse), ...errors(400, 401) },
    },
    get: {
      operationId: 'getPresentationTemplate',
      tags: ['Presentation templates'],
      summary: 'A stored template',
      requestParams: { path: templatePath },
      responses: { '200': answer('OK', templateResponse), ...errors(401, 404) },
    },
    delete: {
      operationId: 'deletePresentationTemplate',
      tags: ['Presentation templates'],
      summary: 'Delete a template',
      requestParams: { path: templatePath },
      responses: { '204': { description: 'Deleted' }, ...errors(401, 404) },
    },
  },
  '/presentation-requests': {
    post: {
      operationId: 'createPresentationRequest',
      tags: ['Presentation requests'],
      summary: 'Create an OID4VP request with a DCQL query; returns the openid4vp:// URI',
      description:
        "responseMode direct_post.jwt: the wallet encrypts its response to a key made for this request alone (claims unreadable to proxies on the way; HAIP 1.0 §5); direct_post: a plain form post. Default: direct_post.jwt when the KMS can wrap keys (the local, Vault, AWS and pkcs11 backends can), direct_post otherwise; direct_post.jwt on such a KMS is 400 response_encryption_unsupported. statusUnavailable: when a credential's status list cannot be fetched, reject (status_unavailable) or accept it with statusUnavailable: true in the result; default STATUS_UNAVAILABLE_POLICY (reject). clientIdPrefix (OID4VP 1.0 §5.9.3): x509_hash (the default for a verifier with a certificate: the base64url SHA-256 of its leaf), x509_san_dns (the host of PUBLIC_BASE_URL, which must be a SAN DNS name of the certificate and is the response URI's host; 400 client_id_not_in_certificate otherwise) or decentralized_identifier (the default without a certificate); an X.509 prefix without a certificate is 400 verifier_certificate_missing. requestUriMethod post: the URI carries request_uri_method=post, and the wallet may POST wallet_metadata and wallet_nonce to the request URI (§5.10). flow same_device (with redirectUri, one of the verifier's redirect URIs, default its first; 400 redirect_uri_not_configured, redirect_uri_not_allowed): the wallet is sent back to the frontend with a response code, and only that code releases the result (docs/SAME-DEVICE.md). A DCQL credential query may list trusted_authorities of type aki: a credential whose x5c chain has none of those Authority Key Identifiers is rejected as untrusted_authority.",
      parameters: [idempotencyKey],
      requestBody: {
        required: true,
        ...json(
          createPresentationRequestInput.meta({
            id: 'PresentationRequestInput',
            description: 'Exactly one of dcql (a DCQL query) and templateId (a stored one)',
            oneOf: [{ required: ['dcql'] }, { required: ['templateId'] }],
            examples: [
              { verifierId: '3f1d2c4b-7a8e-4b6f-9d0c-1e2a3b4c5d6e', dcql: dcqlExample },
              {
                verifierId: '3f1d2c4b-7a8e-4b6f-9d0c-1e2a3b4c5d6e',
                templateId: 'diploma-check',
                expiresInSeconds: 600,
              },
            ],
          }),
        ),
      },
      responses: {
        '201': answer('Created', createdPresentationRequestResponse),
        ...errors(400, 401, 404, 409, 422, 503),
      },
    },
  },
  '/presentation-requests/{requestId}': {
    get: {
      operationId: 'getPresentationRequest',
      tags: ['Presentation requests'],
      summary:
        'State of a request, as decided once and stored: pending (with refused attempts), verified (with the disclosed claims and their issuer), rejected (with the reason), expired. A same-device request is 403 response_code_required: its result is released only by POST /presentation-requests/{requestId}/result',
      requestParams: { path: z.object({ requestId: z.string() }) },
      responses: {
        '200': answer('OK', presentationResultResponse),
        ...errors(401, 404),
        ...responseCodeRefused('response_code_required: a same-device request, read with its response code'),
      },
    },
  },
}

/** The OpenAPI 3.1 document of the verifier REST API, served at `/openapi.json` and rendered at `/docs`. */
export function verifierOpenApi(serverUrl: string): OpenApiDocument {
  return openApiDocument({
    title: 'Attesto verifier API',
    description:
      'Tenants, verifier identities, trusted issuers, and OID4VP 1.0 presentation requests with DCQL for SD-JWT VCs. The OID4VP protocol endpoints are under /oid4vp/{verifierId} (request objects at authorization-requests/{requestId}, responses at authorize).',
    serverUrl,
    webhookEvents: VERIFIER_WEBHOOK_EVENTS,
    tags: [
      ['Verifiers', 'Verifier identities: the key and DID that sign requests'],
      ['Trusted issuers', 'The issuer DIDs whose credentials a tenant accepts'],
      ['Trust anchors', 'CA certificates that credentials signed under X.509 chains (x5c) must lead to'],
      ['Presentation templates', 'Stored DCQL queries'],
      ['Presentation requests', 'OID4VP requests and their results'],
    ],
    paths: mergeOpenApiPaths(
      verifierPaths,
      verifierCertificateOpenApiPaths,
      presentationPaths,
      verifierManagementOpenApiPaths,
      sameDeviceOpenApiPaths,
    ),
  })
}
