import {
  mergeOpenApiPaths,
  type OpenApiDocument,
  type OpenApiPaths,
  openApi,
  openApiDocument,
  openApiPathsOf,
} from '@attesto/agent-runtime'
import { z } from 'zod'
import { configurationIdInput } from './issuers/configurationParts.js'
import { credentialConfigurationBody } from './issuers/credentialConfiguration.js'
import { authorizationServerOpenApiPaths } from './routes/authorizationServerOpenApi.js'
import { batchOpenApiPaths } from './routes/batchOpenApi.js'
import { issuerCertificateOpenApiPaths } from './routes/certificateOpenApi.js'
import { identityProviderOpenApiPaths } from './routes/identityProviderOpenApi.js'
import { createIssuerInput, updateIssuerInput } from './routes/issuerRoutes.js'
import { issuerManagementOpenApiPaths } from './routes/managementOpenApi.js'
import { approvalInput, createOfferInput } from './routes/offerRoutes.js'
import {
  claimsQueuedResponse,
  createdOfferResponse,
  credentialConfigurationResponse,
  issuerResponse,
  offerStatusResponse,
} from './routes/responses.js'
import { STATUS_OPERATIONS } from './routes/statusRoutes.js'
import { walletProviderOpenApiPaths } from './routes/walletProviderOpenApi.js'
import { ISSUER_WEBHOOK_EVENTS } from './webhooks/issuerWebhooks.js'

const { json, answer, errors, idempotencyKey } = openApi
const issuerPath = z.object({ issuerId: z.string() })
const offerPath = z.object({ offerId: z.string() })
const display = [{ name: 'University of Examples', locale: 'en', logo: { uri: 'https://university.example/logo.png' } }]

/** Issuer identities and their credential configurations. */
const issuerPaths: OpenApiPaths = {
  '/issuers': {
    post: {
      operationId: 'createIssuer',
      tags: ['Issuers'],
      summary: 'Create an issuer identity: a key in the issuer KMS, a did:jwk or did:key, an OID4VCI credential issuer',
      parameters: [idempotencyKey],
      requestBody: json(
        createIssuerInput.meta({ examples: [{ didMethod: 'jwk', keyType: 'P-256', display, batchSize: 10 }] }),
      ),
      responses: { '201': answer('Created', issuerResponse), ...errors(400, 401, 409, 422, 503) },
    },
  },
  '/issuers/{issuerId}': {
    get: {
      operationId: 'getIssuer',
      tags: ['Issuers'],
      summary: 'An issuer identity and its credential configurations',
      requestParams: { path: issuerPath },
      responses: { '200': answer('OK', issuerResponse), ...errors(401, 404) },
    },
    patch: {
      operationId: 'updateIssuer',
      tags: ['Issuers'],
      summary:
        'Change how wallets show the issuer (name, logo, per locale), its batch size, and what its token endpoint requires of wallets (DPoP, wallet attestation)',
      description:
        "batchSize above 1 turns on OID4VCI batch issuance: a credential request may carry that many proofs and gets one credential per proof; the metadata then advertises batch_credential_issuance (other instances within ISSUER_METADATA_CACHE_SECONDS). dpop 'required' refuses token requests without a DPoP proof (every token DPoP-bound); clientAttestation 'required' refuses public clients (docs/AUTHORIZATION.md).",
      requestParams: { path: issuerPath },
      requestBody: {
        required: true,
        ...json(
          updateIssuerInput.meta({
            examples: [{ display }, { batchSize: 10 }, { dpop: 'required', clientAttestation: 'required' }],
          }),
        ),
      },
      responses: { '200': answer('OK', issuerResponse), ...errors(400, 401, 404) },
    },
  },
  '/issuers/{issuerId}/credential-configurations/{configurationId}': {
    put: {
      operationId: 'putCredentialConfiguration',
      tags: ['Credential configurations'],
      summary:
        'Define (or replace) a credential configuration: an SD-JWT VC (vct, claims, which are selectively disclosable) or an ISO mdoc (format mso_mdoc: doctype, data elements per namespace)',
      description:
        'An mso_mdoc configuration needs an issuer with a P-256 key (400 issuer_key_unsupported) and its document-signer certificate, issued by a CA that names its country (409 certificate_required, certificate_country_missing); it cannot be revocable (docs/MDOC.md). scope (default the configuration id) selects the configuration in the authorization code flow; another configuration of the issuer with the same scope is 409 scope_in_use (docs/AUTHORIZATION.md).',
      requestParams: {
        path: z.object({ issuerId: z.string(), configurationId: configurationIdInput }),
      },
      requestBody: {
        required: true,
        ...json(
          credentialConfigurationBody.meta({
            id: 'CredentialConfigurationInput',
            description: 'The configuration; its id is the path parameter',
            examples: [
              {
                vct: 'https://university.example/credentials/diploma',
                display: [{ name: 'Diploma', locale: 'en', background_color: '#003366', text_color: '#ffffff' }],
                claims: [
                  { name: 'given_name', type: 'string', required: true },
                  { name: 'degree', type: 'string', required: true },
                  { name: 'graduated_on', type: 'date' },
                  { name: 'honours', type: 'boolean', selectivelyDisclosable: false },
                ],
              },
              {
                format: 'mso_mdoc',
                doctype: 'org.iso.18013.5.1.mDL',
                validitySeconds: 2592000,
                display: [{ name: 'Driving licence', locale: 'en' }],
                namespaces: {
                  'org.iso.18013.5.1': [
                    { name: 'family_name', type: 'string', required: true },
                    { name: 'birth_date', type: 'full-date', required: true },
                    { name: 'age_over_18', type: 'bool' },
                    { name: 'portrait', type: 'bytes' },
                  ],
                },
              },
            ],
          }),
        ),
      },
      responses: { '200': answer('Saved', credentialConfigurationResponse), ...errors(400, 401, 404, 409) },
    },
  },
}

/** Offers, one at a time. */
const offerPaths: OpenApiPaths = {
  '/offers': {
    post: {
      operationId: 'createOffer',
      tags: ['Offers'],
      summary: 'Create a pre-authorised credential offer; returns the openid-credential-offer:// URI',
      description:
        "claims are required, except for a deferred configuration (approved later with PUT /offers/{offerId}/claims). credentialValidUntil must come after now and its start, and at most the configuration's validitySeconds from now (400 invalid_validity otherwise).",
      parameters: [idempotencyKey],
      requestBody: {
        required: true,
        ...json(
          createOfferInput.meta({
            id: 'OfferInput',
            examples: [
              {
                issuerId: '5b0e3a52-6d0b-4f53-9c1a-0e7f7d2a9b41',
                credentialConfigurationId: 'diploma',
                claims: { given_name: 'Ada', degree: 'MSc', graduated_on: '2026-06-30', honours: true },
                txCode: { length: 6 },
              },
            ],
          }),
        ),
      },
      responses: { '201': answer('Created', createdOfferResponse), ...errors(400, 401, 404, 409, 422, 503) },
    },
  },
  '/offers/{offerId}': {
    get: {
      operationId: 'getOffer',
      tags: ['Offers'],
      summary:
        'Offer status: offered, token_issued, credential_pending (deferred), credential_issued (then credential_accepted, credential_failed or credential_deleted as the wallet notifies), expired, failed or cancelled',
      requestParams: { path: offerPath },
      responses: { '200': answer('OK', offerStatusResponse), ...errors(401, 404) },
    },
  },
  '/offers/{offerId}/claims': {
    put: {
      operationId: 'approveOfferClaims',
      tags: ['Offers'],
      summary:
        'Approve the claims of a deferred offer; queued, then the wallet’s next deferred-credential request gets the credential',
      requestParams: { path: offerPath },
      requestBody: { required: true, ...json(approvalInput.meta({ examples: [{ claims: { given_name: 'Ada' } }] })) },
      responses: { '202': answer('Queued', claimsQueuedResponse), ...errors(400, 401, 404, 409, 503) },
    },
  },
}

/** The OpenAPI 3.1 document of the issuer REST API, served at `/openapi.json` and rendered at `/docs`. */
export function issuerOpenApi(serverUrl: string): OpenApiDocument {
  return openApiDocument({
    title: 'Attesto issuer API',
    description:
      'Tenants, issuer identities, credential configurations, OID4VCI pre-authorised offers of SD-JWT VCs (dc+sd-jwt), one at a time or in bulk batches worked by queue workers. The OID4VCI protocol endpoints themselves are under /oid4vci/{issuerId}; each status list token is public at /oid4vci/{issuerId}/status-lists/{listId} (docs/REVOCATION.md).',
    serverUrl,
    webhookEvents: ISSUER_WEBHOOK_EVENTS,
    tags: [
      ['Issuers', 'Issuer identities: a key, a DID, an OID4VCI credential issuer'],
      ['Credential configurations', 'What an issuer issues: an SD-JWT VC type and its claims'],
      ['Offers', 'Pre-authorised credential offers, one at a time'],
      ['Offer batches', 'Offers in bulk, made by queue workers'],
      ['Credential status', 'Revocation and suspension through Token Status Lists'],
    ],
    paths: mergeOpenApiPaths(
      issuerPaths,
      offerPaths,
      batchOpenApiPaths,
      openApiPathsOf(STATUS_OPERATIONS),
      issuerCertificateOpenApiPaths,
      issuerManagementOpenApiPaths,
      identityProviderOpenApiPaths,
      authorizationServerOpenApiPaths,
      walletProviderOpenApiPaths,
    ),
  })
}
