import {
  type BoundRoute,
  feature,
  openApi,
  operation,
  optionalBody,
  type TenantRequestLocals,
} from '@attesto/agent-runtime'
import { parseTrustAnchor } from '@attesto/protocol-kit'
import { z } from 'zod'
import { type TrustAnchor, trustAnchors } from '../verification/verifierDocuments.js'
import { trustAnchorResponse } from './responses.js'

const { answer, errors } = openApi

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

export const putTrustAnchor = operation({
  method: 'put',
  path: '/trust-anchors/{anchorId}',
  operationId: 'putTrustAnchor',
  tags: ['Trust anchors'],
  summary:
    'Trust a CA certificate: credentials whose x5c chain leads to it come from trusted issuers (400 certificate_* when it is not a CA certificate in validity)',
  params: z.object({ anchorId }),
  body: {
    schema: trustAnchorInput.meta({
      examples: [
        {
          certificate: '-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----',
          label: 'National issuing CA',
        },
      ],
    }),
  },
  responses: { '200': answer('Trusted', trustAnchorResponse), ...errors(400, 401) },
})

export const getTrustAnchor = operation({
  method: 'get',
  path: '/trust-anchors/{anchorId}',
  operationId: 'getTrustAnchor',
  tags: ['Trust anchors'],
  summary: 'A trust anchor',
  params: z.object({ anchorId }),
  responses: { '200': answer('OK', trustAnchorResponse), ...errors(400, 401, 404) },
})

export const removeTrustAnchor = operation({
  method: 'delete',
  path: '/trust-anchors/{anchorId}',
  operationId: 'removeTrustAnchor',
  tags: ['Trust anchors'],
  summary: 'Stop trusting a CA certificate',
  params: z.object({ anchorId }),
  responses: { '204': { description: 'Removed' }, ...errors(400, 401, 404) },
})

/**
 * The tenant's X.509 trust anchors: CA certificates (roots or intermediates) that credentials'
 * `x5c` chains must lead to for their issuers to be trusted. An anchor must be a CA certificate
 * in validity; replacing one under the same id takes effect for the next presentation. The
 * anchor id is parsed on its own: a malformed one's 400 names no field.
 */
function trustAnchorRoutes(): BoundRoute[] {
  return [
    putTrustAnchor.handle(async (request, response) => {
      const { tenantContext } = response.locals as TenantRequestLocals
      const id = anchorId.parse(request.params.anchorId)
      const input = optionalBody(putTrustAnchor, request)
      const document = await anchorDocument(id, input.certificate, input.label)
      await trustAnchors.put(tenantContext, id, document)
      response.json(anchorView(document))
    }),

    getTrustAnchor.handle(async (request, response) => {
      const { tenantContext } = response.locals as TenantRequestLocals
      response.json(anchorView(await trustAnchors.get(tenantContext, anchorId.parse(request.params.anchorId))))
    }),

    removeTrustAnchor.handle(async (request, response) => {
      const { tenantContext } = response.locals as TenantRequestLocals
      await trustAnchors.remove(tenantContext, anchorId.parse(request.params.anchorId))
      response.status(204).end()
    }),
  ]
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

/** X.509 trust anchors (docs/X509.md). */
export const trustAnchorFeature = feature({
  name: 'trust anchors',
  tags: [['Trust anchors', 'CA certificates that credentials signed under X.509 chains (x5c) must lead to']],
  operations: [putTrustAnchor, getTrustAnchor, removeTrustAnchor],
  routes: trustAnchorRoutes,
})
