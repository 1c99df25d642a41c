import { randomBytes } from 'node:crypto'
import { type BoundRoute, feature, openApi, operation, type TenantRequestLocals } from '@attesto/agent-runtime'
import { DomainError } from '@attesto/protocol-kit'
import { type AgentContext, Kms } from '@credo-ts/core'
import { z } from 'zod'
import {
  claimsSourceInput,
  IDENTITY_PROVIDER_ID,
  type IdentityProvider,
  identityProviders,
  type ProviderClientAuth,
} from '../authorization/IdentityProvider.js'

const { answer, errors } = openApi

const claimsSourceKey = z
  .string()
  .regex(/^(\*|[0-9a-f-]{36}(\/[A-Za-z0-9_-]{1,64})?)$/, "'*', '<issuerId>' or '<issuerId>/<configurationId>'")

const identityProviderInput = z.strictObject({
  issuer: z
    .url()
    .max(500)
    .meta({ description: "The provider's issuer identifier; its metadata is discovered from it" }),
  clientId: z.string().min(1).max(200),
  clientAuth: z.discriminatedUnion('method', [
    z.strictObject({ method: z.literal('client_secret_basic'), clientSecret: z.string().min(16).max(500) }),
    z.strictObject({ method: z.literal('private_key_jwt') }),
  ]),
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/))
    .max(20)
    .default([])
    .meta({ description: 'Scopes asked at the provider besides openid (for example profile, email)' }),
  claimsSources: z
    .record(claimsSourceKey, claimsSourceInput)
    .refine((sources) => Object.keys(sources).length <= 200, 'at most 200 claims sources')
    .default({}),
})

const identityProviderResponse = z
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

export const putIdentityProvider = operation({
  method: 'put',
  path: '/identity-provider',
  operationId: 'putIdentityProvider',
  tags: ['Authorization'],
  summary:
    "Set the tenant's OpenID provider, where users log in before a wallet gets an authorization code, and where each credential's claims come from",
  description:
    "Register <credential issuer>/authorize/callback of each issuer as a redirect URI at the provider. client_secret_basic keeps the secret in the tenant's storage and never answers it; private_key_jwt makes a P-256 key in the tenant's KMS and answers its public JWK. claimsSources keys: '<issuerId>/<configurationId>', '<issuerId>' or '*'.",
  body: { required: true, schema: identityProviderInput.meta({ examples: [example] }) },
  responses: {
    '200': answer('Replaced', identityProviderResponse),
    '201': answer('Set (with the claims endpoint secret, shown once)', identityProviderResponse),
    ...errors(400, 401),
  },
})

export const getIdentityProvider = operation({
  method: 'get',
  path: '/identity-provider',
  operationId: 'getIdentityProvider',
  tags: ['Authorization'],
  summary: "The tenant's OpenID provider (no secret)",
  responses: { '200': answer('OK', identityProviderResponse), ...errors(401, 404) },
})

export const deleteIdentityProvider = operation({
  method: 'delete',
  path: '/identity-provider',
  operationId: 'deleteIdentityProvider',
  tags: ['Authorization'],
  summary: 'Remove the provider: the authorization code flow is then refused (unauthorized_client)',
  responses: { '204': { description: 'Removed' }, ...errors(401, 404) },
})

/** The tenant's OpenID provider for the authorization code flow (docs/AUTHORIZATION.md). */
export const IDENTITY_PROVIDER_OPERATIONS = [putIdentityProvider, getIdentityProvider, deleteIdentityProvider]

/** A provider as the API answers it: never its client secret; its claims-endpoint secret only when made. */
export function identityProviderView(provider: IdentityProvider, publicJwk?: unknown, showSecret = false) {
  return {
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientAuth: {
      method: provider.clientAuth.method,
      ...(provider.clientAuth.method === 'private_key_jwt' ? { keyId: provider.clientAuth.keyId } : {}),
      ...(publicJwk ? { publicJwk } : {}),
    },
    scopes: provider.scopes,
    claimsSources: provider.claimsSources,
    ...(showSecret ? { claimsEndpointSecret: provider.claimsEndpointSecret } : {}),
    createdAt: provider.createdAt,
    updatedAt: provider.updatedAt,
  }
}

/** The public key of a `private_key_jwt` client key in the tenant's KMS (to register at the provider). */
async function publicJwkOf(tenantContext: AgentContext, auth: ProviderClientAuth) {
  if (auth.method !== 'private_key_jwt') return undefined
  const kms = tenantContext.dependencyManager.resolve(Kms.KeyManagementApi)
  const { kty, crv, x, y } = (await kms.getPublicKey({ keyId: auth.keyId })) as Record<string, unknown>
  return { kty, crv, x, y, kid: auth.keyId, alg: 'ES256', use: 'sig' }
}

/** Keeps the stored key of a `private_key_jwt` client, or makes one (P-256) in the tenant's KMS. */
async function clientAuthOf(
  tenantContext: AgentContext,
  input: z.output<typeof identityProviderInput>['clientAuth'],
  existing: IdentityProvider | null,
): Promise<ProviderClientAuth> {
  if (input.method === 'client_secret_basic') return input
  if (existing?.clientAuth.method === 'private_key_jwt') return existing.clientAuth
  const kms = tenantContext.dependencyManager.resolve(Kms.KeyManagementApi)
  const { keyId } = await kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
  return { method: 'private_key_jwt', keyId, alg: 'ES256' }
}

/**
 * The tenant's OpenID provider for the authorization code flow (docs/AUTHORIZATION.md): `PUT`
 * sets it (201 the first time, with the claims endpoint's signing secret, shown once; a
 * `private_key_jwt` client gets a P-256 key in the tenant's KMS, its public JWK answered for
 * registration at the provider), `GET` reads it (never a secret), `DELETE` removes it (the flow is
 * then refused with `unauthorized_client`).
 */
export function identityProviderRoutes(): BoundRoute[] {
  const put = putIdentityProvider.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const input = putIdentityProvider.body(request)
    const existing = await identityProviders.find(tenantContext, IDENTITY_PROVIDER_ID)
    const now = new Date().toISOString()
    const provider: IdentityProvider = {
      issuer: input.issuer,
      clientId: input.clientId,
      clientAuth: await clientAuthOf(tenantContext, input.clientAuth, existing),
      scopes: input.scopes,
      claimsSources: input.claimsSources,
      claimsEndpointSecret: existing?.claimsEndpointSecret ?? randomBytes(32).toString('base64url'),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    }
    await identityProviders.put(tenantContext, IDENTITY_PROVIDER_ID, provider)
    const publicJwk = await publicJwkOf(tenantContext, provider.clientAuth)
    response.status(existing ? 200 : 201).json(identityProviderView(provider, publicJwk, !existing))
  })

  const get = getIdentityProvider.handle(async (_request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const provider = await identityProviders.get(tenantContext, IDENTITY_PROVIDER_ID)
    response.json(identityProviderView(provider, await publicJwkOf(tenantContext, provider.clientAuth)))
  })

  const remove = deleteIdentityProvider.handle(async (_request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    if (!(await identityProviders.delete(tenantContext, IDENTITY_PROVIDER_ID))) {
      throw new DomainError('identity_provider_not_found', 'This tenant has no identity provider')
    }
    response.status(204).end()
  })

  return [put, get, remove]
}

/** The tenant's OpenID provider. */
export const identityProviderFeature = feature<unknown>({
  name: 'identity provider',
  operations: IDENTITY_PROVIDER_OPERATIONS,
  routes: () => identityProviderRoutes(),
})
