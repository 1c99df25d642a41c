import { errorBody, pageAnswer } from '@attesto/agent-runtime'
import { z } from 'zod'
import { dateTime, EXAMPLE_ID } from './responses.js'

/** What the presentation request routes answer (responses.ts has the verifiers' and the trust answers). */

const responseMode = z.enum(['direct_post.jwt', 'direct_post'])

export const createdPresentationRequestResponse = z
  .object({
    requestId: z.string(),
    uri: z
      .string()
      .meta({ description: 'openid4vp:// with client_id and request_uri (and request_uri_method=post when offered)' }),
    clientId: z.string().meta({
      description:
        'The OID4VP client_id: x509_hash:<leaf hash>, x509_san_dns:<host> or decentralized_identifier:<did>; the audience of the holder binding',
    }),
    expiresAt: dateTime,
    responseMode,
    flow: z.enum(['cross_device', 'same_device']).meta({
      description:
        'same_device: the result is released only with the response code the wallet sends the frontend (POST /presentation-requests/{requestId}/result)',
    }),
  })
  .meta({
    id: 'CreatedPresentationRequest',
    examples: [
      {
        requestId: EXAMPLE_ID,
        uri: 'openid4vp://?client_id=decentralized_identifier%3Adid%3Ajwk%3A…&request_uri=https%3A%2F%2Fverifier.example%2Foid4vp%2F…',
        clientId: 'decentralized_identifier:did:jwk:eyJrdHkiOiJFQyIsImNydiI6IlAtMjU2Iiwi…',
        expiresAt: '2026-06-30T12:05:00.000Z',
        responseMode: 'direct_post.jwt',
        flow: 'cross_device',
      },
    ],
  })

const reason = z
  .object({
    code: z.enum([
      'untrusted_issuer',
      'untrusted_authority',
      'invalid_certificate',
      'request_expired',
      'nonce_mismatch',
      'audience_mismatch',
      'invalid_signature',
      'invalid_disclosure',
      'verification_failed',
      'credential_revoked',
      'credential_suspended',
      'status_unavailable',
      'wallet_error',
    ]),
    message: z.string(),
    detail: z.string().optional().meta({ description: 'Which check failed (never claim values)' }),
  })
  .meta({ id: 'RejectionReason' })

export const presentationResultResponse = z
  .object({
    requestId: z.string(),
    verifierId: z.string(),
    status: z.enum(['pending', 'verified', 'rejected', 'expired', 'cancelled']),
    createdAt: dateTime,
    expiresAt: dateTime,
    decidedAt: dateTime.optional(),
    responseMode,
    reason: reason.optional(),
    refusedAttempts: z
      .array(z.object({ at: dateTime, reason }))
      .max(10)
      .optional()
      .meta({ description: 'The first responses refused while the request stayed open' }),
    refusedAttemptCount: z.number().int().optional().meta({ description: 'All refused responses' }),
    credentials: z
      .array(
        z.object({
          queryId: z.string(),
          issuer: z.string(),
          issuerCertificate: z
            .object({
              subject: z.string(),
              sha256: z.string().meta({ description: 'SHA-256 of the DER end-entity certificate, base64url' }),
              notAfter: dateTime,
              anchor: z.object({ anchorId: z.string(), subject: z.string() }).optional(),
            })
            .optional()
            .meta({
              description:
                "A credential signed under an X.509 chain (x5c): its end-entity certificate, and the tenant's trust anchor the chain leads to",
            }),
          vct: z.string().optional(),
          format: z.literal('mso_mdoc').optional().meta({ description: 'An ISO mdoc (absent for an SD-JWT VC)' }),
          docType: z.string().optional().meta({ description: "An mdoc's document type (its MSO docType)" }),
          claims: z.record(z.string(), z.unknown()).meta({
            description:
              'The disclosed claims; for an mdoc, the data elements by namespace (full-date as YYYY-MM-DD, tdate as an ISO date-time, byte strings as base64url)',
          }),
          statusUnavailable: z
            .boolean()
            .optional()
            .meta({ description: 'Accepted although its status list could not be fetched (the request allowed it)' }),
        }),
      )
      .optional(),
  })
  .meta({
    id: 'PresentationResult',
    description:
      'pending (with refused attempts), verified (with the disclosed claims and their issuer), rejected (with the reason), expired',
    examples: [
      {
        requestId: EXAMPLE_ID,
        verifierId: EXAMPLE_ID,
        status: 'verified',
        createdAt: '2026-06-30T12:00:00.000Z',
        expiresAt: '2026-06-30T12:05:00.000Z',
        decidedAt: '2026-06-30T12:00:41.000Z',
        responseMode: 'direct_post.jwt',
        credentials: [
          {
            queryId: 'diploma',
            issuer: 'did:web:university.example',
            vct: 'https://university.example/credentials/diploma',
            claims: { given_name: 'Ada', degree: 'MSc' },
          },
          {
            queryId: 'licence',
            issuer: 'CN=Road Authority DS, C=NL',
            issuerCertificate: {
              subject: 'CN=Road Authority DS, C=NL',
              sha256: 'q1VpyfLhN3dzFmM3BZbU0Fr-7GSmT8dBvNI2E0qw-7M',
              notAfter: '2027-06-30T12:00:00.000Z',
              anchor: { anchorId: 'road-iaca', subject: 'CN=Road Authority IACA, C=NL' },
            },
            format: 'mso_mdoc',
            docType: 'org.iso.18013.5.1.mDL',
            claims: { 'org.iso.18013.5.1': { family_name: 'Mustermann', birth_date: '1984-08-12', age_over_18: true } },
          },
        ],
      },
    ],
  })
export type PresentationResultResponse = z.output<typeof presentationResultResponse>

export const presentationRequestPageResponse = pageAnswer(
  'presentationRequests',
  presentationResultResponse
    .pick({ requestId: true, verifierId: true, status: true, responseMode: true, createdAt: true, expiresAt: true })
    .extend({ decidedAt: dateTime.optional(), cancelledAt: dateTime.optional() })
    .meta({ id: 'PresentationRequestSummary' }),
  'PresentationRequestPage',
  {
    requestId: EXAMPLE_ID,
    verifierId: EXAMPLE_ID,
    status: 'pending',
    responseMode: 'direct_post.jwt',
    createdAt: '2026-06-30T12:00:00.000Z',
    expiresAt: '2026-06-30T12:05:00.000Z',
  },
)

export const cancelledPresentationRequestResponse = z
  .object({ requestId: z.string(), status: z.literal('cancelled'), cancelledAt: dateTime })
  .meta({
    id: 'CancelledPresentationRequest',
    examples: [{ requestId: EXAMPLE_ID, status: 'cancelled', cancelledAt: '2026-07-01T09:00:00.000Z' }],
  })

/** `403` with the `Error` body and the codes a same-device result is refused with. */
export const responseCodeRefused = (codes: string) => ({
  '403': {
    description: `The response code does not release this result (${codes})`,
    content: { 'application/json': { schema: errorBody } },
  },
})
