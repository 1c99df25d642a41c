import { HttpError, type TenantRequestLocals } from '@attesto/agent-runtime'
import { checkSigningChain, parseCertificateChain } from '@attesto/protocol-kit'
import { Kms } from '@credo-ts/core'
import { Router } from 'express'
import { z } from 'zod'
import { certificateSigningRequest, certificateSigningRequestInput } from '../issuers/certificateSigningRequest.js'
import type { IssuerCertificate } from '../issuers/IssuerCertificate.js'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import { issuerProfiles } from '../issuers/issuerProfiles.js'
import { mdocConfigurationIds, mdocSignerProblem } from '../issuers/mdocSigner.js'

export const certificateChainInput = z.strictObject({
  chain: z.union([z.string().min(1).max(65_536), z.array(z.string().min(1).max(16_384)).min(1).max(10)]).meta({
    description:
      'The chain the CA returned, leaf first: one PEM bundle, or a list of PEM or base64 DER certificates. A root at the end is checked and left out of x5c',
  }),
})

/** What the API shows of an issuer's certificate (its chain is in what the issuer signs). */
export const certificateView = ({ x5c, ...certificate }: IssuerCertificate) => ({
  ...certificate,
  chainLength: x5c.length,
})

/**
 * An issuer's X.509 identity: a certificate signing request for its key (signed in the KMS), the
 * chain the tenant's CA returns (checked: it certifies this key, links, is in validity, may
 * sign), and its removal. Uploading a new chain (a renewal) replaces the old one for what is
 * signed from then on; credentials issued before keep the chain they carry.
 */
export function certificateRoutes(credentialIssuerBaseUrl: string, directory: IssuerDirectory): Router {
  const router = Router()

  router.post('/issuers/:issuerId/certificate-signing-request', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const issuerId = request.params.issuerId as string
    const input = certificateSigningRequestInput.parse(request.body ?? {})
    const profile = await issuerProfiles.get(tenantContext, issuerId)
    const credentialIssuer = `${credentialIssuerBaseUrl}/${issuerId}`
    response.json({ csr: await certificateSigningRequest(tenantContext, profile, credentialIssuer, input) })
  })

  router.put('/issuers/:issuerId/certificate', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const issuerId = request.params.issuerId as string
    const { chain } = certificateChainInput.parse(request.body ?? {})
    const profile = await issuerProfiles.get(tenantContext, issuerId)
    const publicJwk = await tenantContext.dependencyManager
      .resolve(Kms.KeyManagementApi)
      .getPublicKey({ keyId: profile.keyId })
    // A chain that does not fit is a CertificateChainError: 400 with its code (the one error handler).
    const checked = await checkSigningChain(parseCertificateChain(chain), { publicJwk })
    const certificate: IssuerCertificate = {
      ...checked.leaf,
      notAfter: checked.expiresAt,
      x5c: checked.x5c,
      uploadedAt: new Date().toISOString(),
    }
    // The issuer's mdocs will be signed under it: it must fit a document signer as well.
    const unfit = mdocConfigurationIds(profile).length > 0 ? mdocSignerProblem({ ...profile, certificate }) : undefined
    if (unfit) throw unfit
    await issuerProfiles.update(tenantContext, issuerId, { ...profile, certificate })
    directory.invalidate(issuerId)
    response.json(certificateView(certificate))
  })

  router.delete('/issuers/:issuerId/certificate', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const issuerId = request.params.issuerId as string
    const { certificate: _removed, ...profile } = await issuerProfiles.get(tenantContext, issuerId)
    const mdocConfigurations = mdocConfigurationIds(profile)
    if (mdocConfigurations.length > 0) {
      throw new HttpError(
        409,
        'certificate_in_use',
        `The issuer's mso_mdoc configurations (${mdocConfigurations.join(', ')}) are signed under this certificate: remove them first, or upload a new chain instead`,
      )
    }
    await issuerProfiles.update(tenantContext, issuerId, profile)
    directory.invalidate(issuerId)
    response.status(204).end()
  })

  return router
}
