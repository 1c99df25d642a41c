import type { AgentContext, X509ExtendedKeyUsage } from '@credo-ts/core'
import type { Request } from 'express'
import { z } from 'zod'
import type { TenantRequestLocals } from '../auth/apiKeys.js'
import { openApi } from '../openapi/openApi.js'
import type { TenantDocumentStore } from '../records/TenantDocumentStore.js'
import { type BoundRoute, type Operation, operation } from '../routing/operation.js'
import { optionalBody } from '../routing/optionalBody.js'
import { certificateSigningRequestResponse } from './certificateOpenApi.js'
import { type CertificateSigningRequestInput, createCertificateSigningRequest } from './certificateSigningRequest.js'
import { certificateChainInput, certificateView, certifyKey, type KeyCertificate } from './KeyCertificate.js'

const { answer, errors } = openApi

/** What an identity with a signing key keeps: the key, and the certificate once uploaded. */
export interface CertifiableProfile {
  keyId: string
  certificate?: KeyCertificate
}

/** How a role describes its identity's certificate operations ({@link certificateOperations}). */
export interface CertificateOperationsOptions<Input extends CertificateSigningRequestInput> {
  /** The identity's path, with its id parameter: `/issuers/{issuerId}`. */
  path: `/${string}/{${string}}`
  tag: string
  operationIds: { createRequest: string; put: string; remove: string }
  summaries: { createRequest: string; put: string; remove: string }
  /** The body schema of the signing request (`certificateSigningRequestInput`, perhaps extended by the role). */
  requestInput: z.ZodType<Input>
  requestExample: Record<string, unknown>
  certificateResponse: z.ZodType
  /** Longer descriptions of the role's own refusals (`checkUpload`, `checkRemoval` of the routes). */
  descriptions?: { put?: string; remove?: string }
  /** Error statuses the role's checks add (for example 409) to the upload and the removal. */
  extraErrors?: { put?: number[]; remove?: number[] }
}

/**
 * An identity's certificate operations: `POST <path>/certificate-signing-request`,
 * `PUT <path>/certificate` and `DELETE <path>/certificate`, in that order.
 */
export type CertificateOperations<Input extends CertificateSigningRequestInput> = readonly [
  createRequest: Operation<z.ZodObject, z.ZodObject, z.ZodType<Input>>,
  put: Operation<z.ZodObject, z.ZodObject, typeof certificateChainInput>,
  remove: Operation,
]

const CHAIN_EXAMPLE =
  '-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----'

/** Declares the certificate operations of one role's identity ({@link CertificateOperations}). */
export function certificateOperations<Input extends CertificateSigningRequestInput>(
  options: CertificateOperationsOptions<Input>,
): CertificateOperations<Input> {
  const { path, tag, operationIds, summaries, descriptions, extraErrors } = options
  const params = z.object({ [path.slice(path.lastIndexOf('{') + 1, -1)]: z.string() })
  return [
    operation({
      method: 'post',
      path: `${path}/certificate-signing-request`,
      operationId: operationIds.createRequest,
      tags: [tag],
      summary: summaries.createRequest,
      params,
      body: { required: true, schema: options.requestInput.meta({ examples: [options.requestExample] }) },
      responses: { '200': answer('The request, PEM', certificateSigningRequestResponse), ...errors(400, 401, 404) },
    }),
    operation({
      method: 'put',
      path: `${path}/certificate`,
      operationId: operationIds.put,
      tags: [tag],
      summary: summaries.put,
      ...(descriptions?.put ? { description: descriptions.put } : {}),
      params,
      body: { required: true, schema: certificateChainInput.meta({ examples: [{ chain: CHAIN_EXAMPLE }] }) },
      responses: {
        '200': answer('The certificate now in use', options.certificateResponse),
        ...errors(400, 401, 404, ...(extraErrors?.put ?? [])),
      },
    }),
    operation({
      method: 'delete',
      path: `${path}/certificate`,
      operationId: operationIds.remove,
      tags: [tag],
      summary: summaries.remove,
      ...(descriptions?.remove ? { description: descriptions.remove } : {}),
      params,
      responses: { '204': { description: 'Removed' }, ...errors(401, 404, ...(extraErrors?.remove ?? [])) },
    }),
  ]
}

export interface CertificateRoutesOptions<
  Profile extends CertifiableProfile,
  Input extends CertificateSigningRequestInput,
> {
  profiles: TenantDocumentStore<Profile>
  /** Extended key usages the signing request asks for, from the role's own input fields. */
  extendedKeyUsages?(input: Input): X509ExtendedKeyUsage[]
  /** Throws (a DomainError) when the role cannot use this checked certificate (before it is saved). */
  checkUpload?(profile: Profile, certificate: KeyCertificate): void | Promise<void>
  /** Throws (a DomainError) when the role cannot go without its certificate (before it is removed). */
  checkRemoval?(profile: Profile): void | Promise<void>
  /** The identity's URL, whose host and self are the default SAN DNS name and URI. */
  identifierUrl(id: string): string
  /** Called after the certificate changed (uploaded or removed): caches of the profile forget it. */
  changed(tenantContext: AgentContext, id: string, profile: Profile): void
}

/**
 * An identity's X.509 certificate, the same for issuers and verifiers (docs/X509.md), served at
 * the role's {@link certificateOperations}: `POST <path>/certificate-signing-request` (PKCS#10
 * for its key, signed in the KMS), `PUT <path>/certificate` (the chain the tenant's CA returned,
 * checked against the key, or a renewal: it replaces the one before for what is signed from then
 * on) and `DELETE <path>/certificate` (back to the DID).
 */
export function certificateRoutes<Profile extends CertifiableProfile, Input extends CertificateSigningRequestInput>(
  [createRequest, put, remove]: CertificateOperations<Input>,
  options: CertificateRoutesOptions<Profile, Input>,
): BoundRoute[] {
  const { profiles } = options
  const path = createRequest.spec.path
  const param = path.slice(path.lastIndexOf('{') + 1, path.lastIndexOf('}'))
  const idOf = (declared: Operation, request: Request) => declared.params(request)[param] as string

  const signingRequest = createRequest.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const id = idOf(createRequest, request)
    const input = optionalBody(createRequest, request)
    const profile = await profiles.get(tenantContext, id)
    const usages = options.extendedKeyUsages?.(input) ?? []
    const csr = await createCertificateSigningRequest(
      tenantContext,
      profile.keyId,
      options.identifierUrl(id),
      input,
      usages,
    )
    response.json({ csr })
  })

  const upload = put.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const id = idOf(put, request)
    const { chain } = optionalBody(put, request)
    const profile = await profiles.get(tenantContext, id)
    // A chain that does not fit is a CertificateChainError: 400 with its code (the one error handler).
    const certificate = await certifyKey(tenantContext, profile.keyId, chain)
    await options.checkUpload?.(profile, certificate)
    const updated = { ...profile, certificate }
    await profiles.update(tenantContext, id, updated)
    options.changed(tenantContext, id, updated)
    response.json(certificateView(certificate))
  })

  const removal = remove.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const id = idOf(remove, request)
    const { certificate: _removed, ...profile } = await profiles.get(tenantContext, id)
    await options.checkRemoval?.(profile as Profile)
    await profiles.update(tenantContext, id, profile as Profile)
    options.changed(tenantContext, id, profile as Profile)
    response.status(204).end()
  })

  return [signingRequest, upload, removal]
}
