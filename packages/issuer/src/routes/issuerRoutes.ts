import { type TenantRequestLocals, withIdempotency } from '@attesto/agent-runtime'
import { DidsApi, Kms } from '@credo-ts/core'
import { OpenId4VcIssuerApi } from '@credo-ts/openid4vc'
import { Router } from 'express'
import { z } from 'zod'
import { type CredentialConfiguration, credentialConfigurationInput } from '../issuance/credentialConfiguration.js'
import { type IssuerProfile, issuerProfiles } from '../issuance/issuerProfiles.js'

const createIssuerInput = z.object({
  didMethod: z.enum(['jwk', 'key']).default('jwk'),
  keyType: z.enum(['P-256', 'Ed25519']).default('P-256'),
})

const KEY_TYPES = { 'P-256': { kty: 'EC', crv: 'P-256' }, Ed25519: { kty: 'OKP', crv: 'Ed25519' } } as const

function credoConfigurations(profile: IssuerProfile) {
  return Object.fromEntries(
    Object.values(profile.configurations).map((configuration: CredentialConfiguration) => [
      configuration.id,
      {
        format: 'dc+sd-jwt' as const,
        vct: configuration.vct,
        cryptographic_binding_methods_supported: ['jwk', 'did:key', 'did:jwk'],
        credential_signing_alg_values_supported: ['ES256', 'EdDSA'],
        proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256', 'EdDSA'] } },
      },
    ]),
  )
}

function view(profile: IssuerProfile, credentialIssuerBaseUrl: string) {
  return {
    issuerId: profile.issuerId,
    did: profile.did,
    credentialIssuer: `${credentialIssuerBaseUrl}/${profile.issuerId}`,
    credentialConfigurations: Object.values(profile.configurations),
  }
}

/**
 * Issuer identities (a key in the tenant's KMS, a did:jwk or did:key, a Credo issuer) and
 * their credential configurations. Every route runs in the caller's tenant context.
 */
export function issuerRoutes(credentialIssuerBaseUrl: string): Router {
  const router = Router()

  router.post('/issuers', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const input = createIssuerInput.parse(request.body ?? {})
    const result = await withIdempotency(tenantContext, request, async () => {
      const kms = tenantContext.dependencyManager.resolve(Kms.KeyManagementApi)
      const { keyId } = await kms.createKey({ type: KEY_TYPES[input.keyType] })
      const { didState } = await tenantContext.dependencyManager
        .resolve(DidsApi)
        .create({ method: input.didMethod, options: { keyId } })
      const did = didState.did as string
      const didUrl = didState.didDocument?.verificationMethod?.[0]?.id as string
      const issuer = await tenantContext.dependencyManager
        .resolve(OpenId4VcIssuerApi)
        .createIssuer({ credentialConfigurationsSupported: {} })
      const profile: IssuerProfile = { issuerId: issuer.issuerId, did, didUrl, keyId, configurations: {} }
      await issuerProfiles.save(tenantContext, profile.issuerId, profile)
      return { status: 201, body: view(profile, credentialIssuerBaseUrl) }
    })
    response.status(result.status).json(result.body)
  })

  router.get('/issuers/:issuerId', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    response.json(
      view(await issuerProfiles.get(tenantContext, request.params.issuerId as string), credentialIssuerBaseUrl),
    )
  })

  router.put('/issuers/:issuerId/credential-configurations/:configurationId', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const configuration = credentialConfigurationInput.parse({ ...request.body, id: request.params.configurationId })
    const profile = await issuerProfiles.get(tenantContext, request.params.issuerId as string)
    profile.configurations[configuration.id] = configuration
    await tenantContext.dependencyManager.resolve(OpenId4VcIssuerApi).updateIssuerMetadata({
      issuerId: profile.issuerId,
      credentialConfigurationsSupported: credoConfigurations(profile),
    })
    await issuerProfiles.update(tenantContext, profile.issuerId, profile)
    response.json(configuration)
  })

  return router
}
