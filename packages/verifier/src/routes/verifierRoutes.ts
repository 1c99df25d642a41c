import { randomUUID } from 'node:crypto'
import {
  type BoundRoute,
  certificateView,
  feature,
  openApi,
  operation,
  optionalBody,
  type TenantRequestLocals,
  withIdempotency,
} from '@attesto/agent-runtime'
import { DidsApi, Kms } from '@credo-ts/core'
import type { Request } from 'express'
import { z } from 'zod'
import type { VerifierDirectory } from '../protocol/VerifierDirectory.js'
import { trustedIssuers, verifierProfiles } from '../verification/verifierDocuments.js'
import { trustedIssuerResponse, verifierResponse } from './responses.js'

const { answer, errors, idempotencyKey } = openApi

export const createVerifierInput = z.strictObject({ didMethod: z.enum(['jwk', 'key']).default('jwk') })
export const trustedIssuerInput = z.strictObject({ label: z.string().max(200).optional() })
export const did = z
  .string()
  .regex(/^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$/, 'a DID, for example did:web:university.example')

export const createVerifier = operation({
  method: 'post',
  path: '/verifiers',
  operationId: 'createVerifier',
  tags: ['Verifiers'],
  summary: 'Create a verifier identity: a key in the verifier KMS and the DID that signs its requests',
  parameters: [idempotencyKey],
  body: { schema: createVerifierInput.meta({ examples: [{ didMethod: 'jwk' }] }) },
  responses: { '201': answer('Created', verifierResponse), ...errors(400, 401, 409, 422, 503) },
})

export const getVerifier = operation({
  method: 'get',
  path: '/verifiers/{verifierId}',
  operationId: 'getVerifier',
  tags: ['Verifiers'],
  summary: 'A verifier identity',
  params: z.object({ verifierId: z.string() }),
  responses: { '200': answer('OK', verifierResponse), ...errors(401, 404) },
})

export const trustIssuer = operation({
  method: 'put',
  path: '/trusted-issuers/{did}',
  operationId: 'trustIssuer',
  tags: ['Trusted issuers'],
  summary: 'Trust an issuer DID (URL-encode it in the path)',
  params: z.object({ did }),
  body: { schema: trustedIssuerInput.meta({ examples: [{ label: 'University of Examples' }] }) },
  responses: { '200': answer('Trusted', trustedIssuerResponse), ...errors(400, 401) },
})

export const untrustIssuer = operation({
  method: 'delete',
  path: '/trusted-issuers/{did}',
  operationId: 'untrustIssuer',
  tags: ['Trusted issuers'],
  summary: 'Stop trusting an issuer DID',
  params: z.object({ did }),
  responses: { '204': { description: 'Removed' }, ...errors(401, 404) },
})

/**
 * A new verifier identity (honours `Idempotency-Key`): a signing key in the tenant's KMS and its
 * DID. The verifier id is chosen when the key is reserved: a retry that takes the key over finds
 * the identity made before (a crash before its profile was saved leaves unused keys in the KMS).
 */
async function createVerifierIdentity(directory: VerifierDirectory, request: Request, locals: TenantRequestLocals) {
  const { tenant, tenantContext } = locals
  const input = optionalBody(createVerifier, request)
  return withIdempotency(
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
}

/**
 * Verifier identities (a signing key in the tenant's KMS and its DID; response-encryption keys
 * are made per request) and the tenant's trusted issuers.
 */
function verifierRoutes({ directory }: { directory: VerifierDirectory }): BoundRoute[] {
  return [
    createVerifier.handle(async (request, response) => {
      const result = await createVerifierIdentity(directory, request, response.locals as TenantRequestLocals)
      response.status(result.status).json(result.body)
    }),

    getVerifier.handle(async (request, response) => {
      const { tenantContext } = response.locals as TenantRequestLocals
      const profile = await verifierProfiles.get(tenantContext, getVerifier.params(request).verifierId)
      response.json({
        verifierId: profile.verifierId,
        did: profile.did,
        ...(profile.certificate ? { certificate: certificateView(profile.certificate) } : {}),
      })
    }),

    trustIssuer.handle(async (request, response) => {
      const { tenantContext } = response.locals as TenantRequestLocals
      // Parsed on its own: a malformed DID's 400 names no field.
      const issuerDid = did.parse(request.params.did)
      const { label } = optionalBody(trustIssuer, request)
      const document = { did: issuerDid, ...(label ? { label } : {}) }
      await trustedIssuers.put(tenantContext, issuerDid, document)
      response.json(document)
    }),

    // Not checked against the DID's form: an identifier that was never trusted is not found.
    untrustIssuer.handle(async (request, response) => {
      const { tenantContext } = response.locals as TenantRequestLocals
      await trustedIssuers.remove(tenantContext, request.params.did as string)
      response.status(204).end()
    }),
  ]
}

/** Verifier identities and trusted issuers. */
export const verifierFeature = feature({
  name: 'verifiers',
  tags: [
    ['Verifiers', 'Verifier identities: the key and DID that sign requests'],
    ['Trusted issuers', 'The issuer DIDs whose credentials a tenant accepts'],
  ],
  operations: [createVerifier, getVerifier, trustIssuer, untrustIssuer],
  routes: verifierRoutes,
})
