import { randomBytes } from 'node:crypto'
import { HttpError, type TenantRequestLocals } from '@attesto/agent-runtime'
import { type AgentContext, Kms } from '@credo-ts/core'
import { Router } from 'express'
import { z } from 'zod'
import {
  claimsSourceInput,
  IDENTITY_PROVIDER_ID,
  type IdentityProvider,
  identityProviders,
  type ProviderClientAuth,
} from '../authorization/IdentityProvider.js'

const claimsSourceKey = z
  .string()
  .regex(/^(\*|[0-9a-f-]{36}(\/[A-Za-z0-9_-]{1,64})?)$/, "'*', '<issuerId>' or '<issuerId>/<configurationId>'")

export const identityProviderInput = z.strictObject({
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
export function identityProviderRoutes(): Router {
  const router = Router()

  router.put('/identity-provider', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const input = identityProviderInput.parse(request.body)
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

  router.get('/identity-provider', async (_request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const provider = await identityProviders.get(tenantContext, IDENTITY_PROVIDER_ID)
    response.json(identityProviderView(provider, await publicJwkOf(tenantContext, provider.clientAuth)))
  })

  router.delete('/identity-provider', async (_request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    if (!(await identityProviders.delete(tenantContext, IDENTITY_PROVIDER_ID))) {
      throw new HttpError(404, 'identity_provider_not_found', 'This tenant has no identity provider')
    }
    response.status(204).end()
  })

  return router
}
