import type { AgentContext, X509ExtendedKeyUsage } from '@credo-ts/core'
import { Router } from 'express'
import type { z } from 'zod'
import type { TenantRequestLocals } from '../auth/apiKeys.js'
import type { TenantDocumentStore } from '../records/TenantDocumentStore.js'
import { type CertificateSigningRequestInput, createCertificateSigningRequest } from './certificateSigningRequest.js'
import { certificateChainInput, certificateView, certifyKey, type KeyCertificate } from './KeyCertificate.js'

/** What an identity with a signing key keeps: the key, and the certificate once uploaded. */
export interface CertifiableProfile {
  keyId: string
  certificate?: KeyCertificate
}

export interface CertificateRoutesOptions<
  Profile extends CertifiableProfile,
  Input extends CertificateSigningRequestInput = CertificateSigningRequestInput,
> {
  /** The identity's path, with its id parameter: `/issuers/:issuerId`. */
  path: `/${string}/:${string}`
  profiles: TenantDocumentStore<Profile>
  /** The body schema of the signing request (`certificateSigningRequestInput`, perhaps extended by the role). */
  requestInput: z.ZodType<Input>
  /** Extended key usages the signing request asks for, from the role's own input fields. */
  extendedKeyUsages?(input: Input): X509ExtendedKeyUsage[]
  /** Throws (an HttpError) when the role cannot use this checked certificate (before it is saved). */
  checkUpload?(profile: Profile, certificate: KeyCertificate): void | Promise<void>
  /** Throws (an HttpError) when the role cannot go without its certificate (before it is removed). */
  checkRemoval?(profile: Profile): void | Promise<void>
  /** The identity's URL, whose host and self are the default SAN DNS name and URI. */
  identifierUrl(id: string): string
  /** Called after the certificate changed (uploaded or removed): caches of the profile forget it. */
  changed(tenantContext: AgentContext, id: string, profile: Profile): void
}

/**
 * An identity's X.509 certificate, the same for issuers and verifiers (docs/X509.md):
 * `POST <path>/certificate-signing-request` (PKCS#10 for its key, signed in the KMS),
 * `PUT <path>/certificate` (the chain the tenant's CA returned, checked against the key, or a
 * renewal: it replaces the one before for what is signed from then on) and
 * `DELETE <path>/certificate` (back to the DID).
 */
export function certificateRoutes<
  Profile extends CertifiableProfile,
  Input extends CertificateSigningRequestInput = CertificateSigningRequestInput,
>(options: CertificateRoutesOptions<Profile, Input>): Router {
  const router = Router()
  const { path, profiles } = options
  const param = path.slice(path.lastIndexOf(':') + 1)

  router.post(`${path}/certificate-signing-request`, async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const id = request.params[param] as string
    const input = options.requestInput.parse(request.body ?? {})
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

  router.put(`${path}/certificate`, async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const id = request.params[param] as string
    const { chain } = certificateChainInput.parse(request.body ?? {})
    const profile = await profiles.get(tenantContext, id)
    // A chain that does not fit is a CertificateChainError: 400 with its code (the one error handler).
    const certificate = await certifyKey(tenantContext, profile.keyId, chain)
    await options.checkUpload?.(profile, certificate)
    const updated = { ...profile, certificate }
    await profiles.update(tenantContext, id, updated)
    options.changed(tenantContext, id, updated)
    response.json(certificateView(certificate))
  })

  router.delete(`${path}/certificate`, async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const id = request.params[param] as string
    const { certificate: _removed, ...profile } = await profiles.get(tenantContext, id)
    await options.checkRemoval?.(profile as Profile)
    await profiles.update(tenantContext, id, profile as Profile)
    options.changed(tenantContext, id, profile as Profile)
    response.status(204).end()
  })

  return router
}
