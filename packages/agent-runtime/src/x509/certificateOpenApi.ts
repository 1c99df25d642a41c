import { z } from 'zod'
import type { ZodOpenApiPathsObject } from 'zod-openapi'
import { openApi } from '../openapi/openApi.js'
import { certificateChainInput } from './KeyCertificate.js'

const { json, answer, errors } = openApi
const dateTime = z.iso.datetime({ offset: true })

/** The answer of `POST …/certificate-signing-request`. */
export const certificateSigningRequestResponse = z
  .object({ csr: z.string().meta({ description: 'PKCS#10, PEM: send it to the CA' }) })
  .meta({ id: 'CertificateSigningRequest' })

/** What the API shows of a key's certificate (`certificateView`), as component `id`. */
export function keyCertificateResponse(id: string, example: Record<string, unknown>) {
  return z
    .object({
      subject: z.string(),
      issuer: z.string().meta({ description: 'The CA that issued the certificate (its subject)' }),
      serialNumber: z.string(),
      notBefore: dateTime,
      notAfter: dateTime.meta({ description: 'The earliest end of validity in the chain: renew before it' }),
      sha256: z.string().meta({ description: 'SHA-256 of the DER certificate, base64url' }),
      dnsNames: z.array(z.string()),
      uris: z.array(z.string()),
      uploadedAt: dateTime,
      chainLength: z.number().int().meta({ description: 'Certificates in x5c: the leaf and intermediates, no root' }),
    })
    .meta({ id, examples: [example] })
}

export interface CertificateOpenApiOptions {
  /** The identity's path in OpenAPI form: `/issuers/{issuerId}`. */
  path: `/${string}/{${string}}`
  pathParams: z.ZodObject
  tag: string
  operationIds: { createRequest: string; put: string; remove: string }
  summaries: { createRequest: string; put: string; remove: string }
  requestInput: z.ZodType
  requestExample: Record<string, unknown>
  certificateResponse: z.ZodType
  /** Longer descriptions of the role's own refusals (`checkUpload`, `checkRemoval` of the routes). */
  descriptions?: { put?: string; remove?: string }
  /** Error statuses the role's checks add (for example 409) to the upload and the removal. */
  extraErrors?: { put?: number[]; remove?: number[] }
}

const CHAIN_EXAMPLE =
  '-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----'

/** The OpenAPI paths of `certificateRoutes`, for one role's document. */
export function certificateOpenApiPaths(options: CertificateOpenApiOptions): ZodOpenApiPathsObject {
  const { tag, operationIds, summaries } = options
  const requestParams = { path: options.pathParams }
  return {
    [`${options.path}/certificate-signing-request`]: {
      post: {
        operationId: operationIds.createRequest,
        tags: [tag],
        summary: summaries.createRequest,
        requestParams,
        requestBody: { required: true, ...json(options.requestInput.meta({ examples: [options.requestExample] })) },
        responses: { '200': answer('The request, PEM', certificateSigningRequestResponse), ...errors(400, 401, 404) },
      },
    },
    [`${options.path}/certificate`]: {
      put: {
        operationId: operationIds.put,
        tags: [tag],
        summary: summaries.put,
        ...(options.descriptions?.put ? { description: options.descriptions.put } : {}),
        requestParams,
        requestBody: { required: true, ...json(certificateChainInput.meta({ examples: [{ chain: CHAIN_EXAMPLE }] })) },
        responses: {
          '200': answer('The certificate now in use', options.certificateResponse),
          ...errors(400, 401, 404, ...(options.extraErrors?.put ?? [])),
        },
      },
      delete: {
        operationId: operationIds.remove,
        tags: [tag],
        summary: summaries.remove,
        ...(options.descriptions?.remove ? { description: options.descriptions.remove } : {}),
        requestParams,
        responses: { '204': { description: 'Removed' }, ...errors(401, 404, ...(options.extraErrors?.remove ?? [])) },
      },
    },
  }
}
