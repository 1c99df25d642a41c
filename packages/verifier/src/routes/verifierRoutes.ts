import { randomUUID } from 'node:crypto'
import { certificateView, type TenantRequestLocals, withIdempotency } from '@attesto/agent-runtime'
import { DidsApi, Kms } from '@credo-ts/core'
import { Router } from 'express'
import { z } from 'zod'
import type { VerifierDirectory } from '../protocol/VerifierDirectory.js'
import { trustedIssuers, verifierProfiles } from '../verification/verifierDocuments.js'

export const createVerifierInput = z.strictObject({ didMethod: z.enum(['jwk', 'key']).default('jwk') })
export const trustedIssuerInput = z.strictObject({ label: z.string().max(200).optional() })
export const did = z
  .string()
  .regex(/^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/, 'a DID, for example did:web:university.example')

/**
 * Verifier identities (a signing key in the tenant's KMS and its DID; response-encryption keys
 * are made per request) and the tenant's trusted issuers.
 */
export function verifierRoutes(directory: VerifierDirectory): Router {
  const router = Router()

  router.post('/verifiers', async (request, response) => {
    const { tenant, tenantContext } = response.locals as TenantRequestLocals
    const input = createVerifierInput.parse(request.body ?? {})
    // The verifier id is chosen when the key is reserved: a retry that takes the key over finds the
    // identity made before (a crash before its profile was saved leaves unused keys in the KMS).
    const result = await withIdempotency(
      tenantContext,
      request,
      async (verifierId = randomUUID()) => {
        let profile = await verifierProfiles.find(tenantContext, verifierId)
        if (!profile) {
          const { keyId } = await tenantContext.dependencyManager
            .resolve(Kms.KeyManagementApi)
            .createKey({ type: { kty: 'EC', crv: 'P-256' } })
          const { didState } = await tenantContext.dependencyManager
            .resolve(DidsApi)
            .create({ method: input.didMethod, options: { keyId } })
          profile = {
            verifierId,
            did: didState.did as string,
            didUrl: didState.didDocument?.verificationMethod?.[0]?.id as string,
            keyId,
          }
          await verifierProfiles.save(tenantContext, verifierId, profile)
        }
        await directory.register(tenant.id, verifierId)
        return { status: 201, body: { verifierId, did: profile.did } }
      },
      { prepare: () => randomUUID() },
    )
    response.status(result.status).json(result.body)
  })

  router.get('/verifiers/:verifierId', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const profile = await verifierProfiles.get(tenantContext, request.params.verifierId as string)
    response.json({
      verifierId: profile.verifierId,
      did: profile.did,
      ...(profile.certificate ? { certificate: certificateView(profile.certificate) } : {}),
    })
  })

  router.put('/trusted-issuers/:did', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const issuerDid = did.parse(request.params.did)
    const { label } = trustedIssuerInput.parse(request.body ?? {})
    const document = { did: issuerDid, ...(label ? { label } : {}) }
    await trustedIssuers.put(tenantContext, issuerDid, document)
    response.json(document)
  })

  router.delete('/trusted-issuers/:did', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    await trustedIssuers.remove(tenantContext, request.params.did as string)
    response.status(204).end()
  })

  return router
}
