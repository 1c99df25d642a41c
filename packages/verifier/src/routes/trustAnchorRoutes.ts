import type { TenantRequestLocals } from '@attesto/agent-runtime'
import { parseTrustAnchor } from '@attesto/protocol-kit'
import { Router } from 'express'
import { z } from 'zod'
import { type TrustAnchor, trustAnchors } from '../verification/verifierDocuments.js'

export const anchorId = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, underscore and hyphen, at most 64')
export const trustAnchorInput = z.strictObject({
  certificate: z
    .string()
    .min(1)
    .max(16_384)
    .meta({ description: 'One CA certificate: PEM, or base64 DER as in an x5c entry' }),
  label: z.string().max(200).optional(),
})

/** What a trust anchor looks like in answers (the certificate itself is not repeated). */
export const anchorView = ({ certificate: _certificate, ...anchor }: TrustAnchor) => anchor

/**
 * The tenant's X.509 trust anchors: CA certificates (roots or intermediates) that credentials'
 * `x5c` chains must lead to for their issuers to be trusted. An anchor must be a CA certificate
 * in validity; replacing one under the same id takes effect for the next presentation.
 */
export function trustAnchorRoutes(): Router {
  const router = Router()

  router.put('/trust-anchors/:anchorId', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const id = anchorId.parse(request.params.anchorId)
    const input = trustAnchorInput.parse(request.body ?? {})
    const document = await anchorDocument(id, input.certificate, input.label)
    await trustAnchors.put(tenantContext, id, document)
    response.json(anchorView(document))
  })

  router.get('/trust-anchors/:anchorId', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    response.json(anchorView(await trustAnchors.get(tenantContext, anchorId.parse(request.params.anchorId))))
  })

  router.delete('/trust-anchors/:anchorId', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    await trustAnchors.remove(tenantContext, anchorId.parse(request.params.anchorId))
    response.status(204).end()
  })

  return router
}

/** The stored anchor; a certificate that is not a CA in validity is a CertificateChainError (400 with its code). */
async function anchorDocument(id: string, text: string, label?: string): Promise<TrustAnchor> {
  const { certificate, summary } = await parseTrustAnchor(text)
  return {
    anchorId: id,
    ...(label ? { label } : {}),
    certificate,
    subject: summary.subject,
    notAfter: summary.notAfter,
    sha256: summary.sha256,
  }
}
