import { type OpenApiPaths, openApi } from '@attesto/agent-runtime'
import { z } from 'zod'
import { identityProviderInput } from './identityProviderRoutes.js'

const { json, answer, errors } = openApi

export const identityProviderResponse = z
  .object({
    issuer: z.string(),
    clientId: z.string(),
    clientAuth: z.object({
      method: z.enum(['client_secret_basic', 'private_key_jwt']),
      keyId: z.string().optional(),
      publicJwk: z
        .record(z.string(), z.unknown())
        .optional()
        .meta({ description: 'private_key_jwt: the public key to register at the provider' }),
    }),
    scopes: z.array(z.string()),
    claimsSources: z.record(z.string(), z.record(z.string(), z.unknown())),
    claimsEndpointSecret: z
      .string()
      .optional()
      .meta({ description: 'Only when the provider is first set: the HMAC key of claims-endpoint requests' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'IdentityProvider' })

const example = {
  issuer: 'https://login.university.example',
  clientId: 'attesto-issuer',
  clientAuth: { method: 'client_secret_basic', clientSecret: 'a-long-client-secret-from-the-provider' },
  scopes: ['profile'],
  claimsSources: { '*': { type: 'id_token', mapping: { given_name: 'given_name', family_name: 'family_name' } } },
}

/** The tenant's OpenID provider for the authorization code flow (docs/AUTHORIZATION.md). */
export const identityProviderOpenApiPaths: OpenApiPaths = {
  '/identity-provider': {
    put: {
      operationId: 'putIdentityProvider',
      tags: ['Authorization'],
      summary:
        "Set the tenant's OpenID provider, where users log in before a wallet gets an authorization code, and where each credential's claims come from",
      description:
        "Register <credential issuer>/authorize/callback of each issuer as a redirect URI at the provider. client_secret_basic keeps the secret in the tenant's storage and never answers it; private_key_jwt makes a P-256 key in the tenant's KMS and answers its public JWK. claimsSources keys: '<issuerId>/<configurationId>', '<issuerId>' or '*'.",
      requestBody: { required: true, ...json(identityProviderInput.meta({ examples: [example] })) },
      responses: {
        '200': answer('Replaced', identityProviderResponse),
        '201': answer('Set (with the claims endpoint secret, shown once)', identityProviderResponse),
        ...errors(400, 401),
      },
    },
    get: {
      operationId: 'getIdentityProvider',
      tags: ['Authorization'],
      summary: "The tenant's OpenID provider (no secret)",
      responses: { '200': answer('OK', identityProviderResponse), ...errors(401, 404) },
    },
    delete: {
      operationId: 'deleteIdentityProvider',
      tags: ['Authorization'],
      summary: 'Remove the provider: the authorization code flow is then refused (unauthorized_client)',
      responses: { '204': { description: 'Removed' }, ...errors(401, 404) },
    },
  },
}
