import { randomUUID } from 'node:crypto'
import {
  certificateView,
  HttpError,
  type TenantRequestLocals,
  TenantsApi,
  withIdempotency,
} from '@attesto/agent-runtime'
import { DidsApi, Kms } from '@credo-ts/core'
import { Router } from 'express'
import { z } from 'zod'
import { batchSizeInput, batchSizeOf } from '../issuers/batchIssuance.js'
import { scopeOf } from '../issuers/configurationParts.js'
import { credentialConfigurationInput, displayInput } from '../issuers/credentialConfiguration.js'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import { type IssuerProfile, issuerProfiles } from '../issuers/issuerProfiles.js'
import { mdocSignerProblem } from '../issuers/mdocSigner.js'
import { clientAttestationInput, clientAttestationOf, dpopInput, dpopOf } from '../issuers/senderConstraints.js'
import type { IssuerResponse } from './responses.js'

export const createIssuerInput = z.strictObject({
  didMethod: z.enum(['jwk', 'key']).default('jwk'),
  keyType: z.enum(['P-256', 'Ed25519']).default('P-256'),
  display: displayInput.optional(),
  batchSize: batchSizeInput.optional(),
  dpop: dpopInput.optional(),
  clientAttestation: clientAttestationInput.optional(),
})

export const updateIssuerInput = z
  .strictObject({
    display: displayInput.optional(),
    batchSize: batchSizeInput.optional(),
    dpop: dpopInput.optional(),
    clientAttestation: clientAttestationInput.optional(),
  })
  .refine((input) => Object.values(input).some((value) => value !== undefined), 'give at least one setting')

const KEY_TYPES = { 'P-256': { kty: 'EC', crv: 'P-256' }, Ed25519: { kty: 'OKP', crv: 'Ed25519' } } as const

/** An issuer as the API shows it. */
export function issuerView(profile: IssuerProfile, credentialIssuerBaseUrl: string): IssuerResponse {
  return {
    issuerId: profile.issuerId,
    did: profile.did,
    credentialIssuer: `${credentialIssuerBaseUrl}/${profile.issuerId}`,
    credentialConfigurations: Object.values(profile.configurations),
    batchSize: batchSizeOf(profile),
    dpop: dpopOf(profile),
    clientAttestation: clientAttestationOf(profile),
    ...(profile.display ? { display: profile.display } : {}),
    ...(profile.certificate ? { certificate: certificateView(profile.certificate) } : {}),
  }
}

/** One scope value selects one configuration of an issuer (HAIP §4.3): another's scope is `409 scope_in_use`. */
function refuseSharedScope(profile: IssuerProfile, configuration: { id: string; scope?: string | undefined }): void {
  const sharing = Object.values(profile.configurations).find(
    (other) => other.id !== configuration.id && scopeOf(other) === scopeOf(configuration),
  )
  if (sharing) {
    throw new HttpError(
      409,
      'scope_in_use',
      `Configuration '${sharing.id}' has the scope '${scopeOf(configuration)}': one scope selects one configuration`,
    )
  }
}

/**
 * Issuer identities (a key in the tenant's KMS, a did:jwk or did:key, an issuer id routed to the
 * tenant) and their credential configurations. Every route runs in the caller's tenant context.
 */
export function issuerRoutes(credentialIssuerBaseUrl: string, directory: IssuerDirectory): Router {
  const router = Router()

  router.post('/issuers', async (request, response) => {
    const { tenantContext, tenant } = response.locals as TenantRequestLocals
    const input = createIssuerInput.parse(request.body ?? {})
    // The issuer id is chosen when the key is reserved: a retry that takes the key over finds the
    // identity made before (a crash before its profile was saved leaves an unused key in the KMS).
    const result = await withIdempotency(
      tenantContext,
      request,
      async (issuerId = randomUUID()) => {
        let profile = await issuerProfiles.find(tenantContext, issuerId)
        if (!profile) {
          const kms = tenantContext.dependencyManager.resolve(Kms.KeyManagementApi)
          const { keyId } = await kms.createKey({ type: KEY_TYPES[input.keyType] })
          const { didState } = await tenantContext.dependencyManager
            .resolve(DidsApi)
            .create({ method: input.didMethod, options: { keyId } })
          const did = didState.did as string
          const didUrl = didState.didDocument?.verificationMethod?.[0]?.id as string
          profile = {
            issuerId,
            did,
            didUrl,
            keyId,
            configurations: {},
            ...(input.display ? { display: input.display } : {}),
            ...(input.batchSize && input.batchSize > 1 ? { batchSize: input.batchSize } : {}),
            ...(input.dpop ? { dpop: input.dpop } : {}),
            ...(input.clientAttestation ? { clientAttestation: input.clientAttestation } : {}),
          }
          await issuerProfiles.save(tenantContext, issuerId, profile)
        }
        await tenantContext.dependencyManager.resolve(TenantsApi).addActorId(tenant.id, issuerId)
        return { status: 201, body: issuerView(profile, credentialIssuerBaseUrl) }
      },
      { prepare: () => randomUUID() },
    )
    response.status(result.status).json(result.body)
  })

  router.get('/issuers/:issuerId', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    response.json(
      issuerView(await issuerProfiles.get(tenantContext, request.params.issuerId as string), credentialIssuerBaseUrl),
    )
  })

  router.patch('/issuers/:issuerId', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const { display, batchSize, dpop, clientAttestation } = updateIssuerInput.parse(request.body)
    const profile = await issuerProfiles.get(tenantContext, request.params.issuerId as string)
    if (display) profile.display = display
    if (batchSize !== undefined) profile.batchSize = batchSize
    if (dpop) profile.dpop = dpop
    if (clientAttestation) profile.clientAttestation = clientAttestation
    await issuerProfiles.update(tenantContext, profile.issuerId, profile)
    directory.invalidate(profile.issuerId)
    response.json(issuerView(profile, credentialIssuerBaseUrl))
  })

  router.put('/issuers/:issuerId/credential-configurations/:configurationId', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const configuration = credentialConfigurationInput.parse({ ...request.body, id: request.params.configurationId })
    const profile = await issuerProfiles.get(tenantContext, request.params.issuerId as string)
    // An mdoc is signed under the issuer's document-signer certificate: refused now, not at issuance.
    const unfit = configuration.format === 'mso_mdoc' ? mdocSignerProblem(profile) : undefined
    if (unfit) throw unfit
    refuseSharedScope(profile, configuration)
    profile.configurations[configuration.id] = configuration
    await issuerProfiles.update(tenantContext, profile.issuerId, profile)
    directory.invalidate(profile.issuerId)
    response.json(configuration)
  })

  return router
}
