import { keyCertificateResponse, pageAnswer } from '@attesto/agent-runtime'
import { z } from 'zod'
import { dcqlInput } from '../verification/dcqlInput.js'

/**
 * What the verifier's REST routes answer, as zod schemas next to the request schemas: the OpenAPI
 * document is generated from both (openapi.ts), a test checks every real answer against it, and
 * the routes' answers are typed by them.
 */

const dateTime = z.iso.datetime({ offset: true })
const uuid = '3f1d2c4b-7a8e-4b6f-9d0c-1e2a3b4c5d6e'
const responseMode = z.enum(['direct_post.jwt', 'direct_post'])

export const verifierCertificateResponse = keyCertificateResponse('VerifierCertificate', {
  subject: 'CN=Bank of Examples, O=Bank of Examples, C=NL',
  issuer: 'CN=Example National Issuing CA',
  serialNumber: '5c1e9a7b3d20',
  notBefore: '2026-12-01T00:00:00.000Z',
  notAfter: '2027-12-01T00:00:00.000Z',
  sha256: 'Uvo3HtuIxuhC92rShpgqcT3YXwrqRxWEviRiA0OZszk',
  dnsNames: ['verifier.example'],
  uris: [`https://verifier.example/oid4vp/${uuid}`],
  uploadedAt: '2026-12-01T10:00:00.000Z',
  chainLength: 2,
})

export const verifierResponse = z
  .object({
    verifierId: z.string(),
    did: z.string(),
    certificate: verifierCertificateResponse.optional().meta({
      description:
        "The X.509 certificate of the verifier's key: requests then carry x5c and an x509_hash client identifier (sha256)",
    }),
  })
  .meta({ id: 'Verifier', examples: [{ verifierId: uuid, did: 'did:jwk:eyJrdHkiOiJFQyIsImNydiI6IlAtMjU2Iiwi…' }] })

export const trustedIssuerResponse = z
  .object({ did: z.string(), label: z.string().optional() })
  .meta({ id: 'TrustedIssuer', examples: [{ did: 'did:web:university.example', label: 'University of Examples' }] })

export const trustedIssuerPageResponse = pageAnswer('trustedIssuers', trustedIssuerResponse, 'TrustedIssuerPage', {
  did: 'did:web:university.example',
  label: 'University of Examples',
})

export const trustAnchorResponse = z
  .object({
    anchorId: z.string(),
    label: z.string().optional(),
    subject: z.string(),
    notAfter: dateTime,
    sha256: z.string().meta({ description: 'SHA-256 of the DER certificate, base64url' }),
  })
  .meta({
    id: 'TrustAnchor',
    examples: [
      {
        anchorId: 'national-ca',
        label: 'National issuing CA',
        subject: 'CN=Example National Root CA, C=NL',
        notAfter: '2036-01-01T00:00:00.000Z',
        sha256: 'q1VpyfLhN3dzFmM3BZbU0Fr-7GSmT8dBvNI2E0qw-7M',
      },
    ],
  })

export const trustAnchorPageResponse = pageAnswer('trustAnchors', trustAnchorResponse, 'TrustAnchorPage', {
  anchorId: 'national-ca',
  subject: 'CN=Example National Root CA, C=NL',
  notAfter: '2036-01-01T00:00:00.000Z',
  sha256: 'q1VpyfLhN3dzFmM3BZbU0Fr-7GSmT8dBvNI2E0qw-7M',
})

export const templateResponse = z
  .object({ templateId: z.string(), label: z.string().optional(), dcql: dcqlInput })
  .meta({ id: 'PresentationTemplate' })

export const templatePageResponse = pageAnswer('templates', templateResponse, 'PresentationTemplatePage', {
  templateId: 'diploma-check',
  label: 'Diploma check',
  dcql: {
    query: {
      credentials: [
        {
          id: 'diploma',
          format: 'dc+sd-jwt',
          meta: { vct_values: ['https://university.example/credentials/diploma'] },
        },
      ],
    },
  },
})

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
        requestId: uuid,
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
        requestId: uuid,
        verifierId: uuid,
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

export const redirectUrisResponse = z.object({ verifierId: z.string(), redirectUris: z.array(z.string()) }).meta({
  id: 'VerifierRedirectUris',
  examples: [{ verifierId: uuid, redirectUris: ['https://bank.example/verify/done'] }],
})

/** The management answers: lists (page by page), deletion, cancellation. */

export const verifierPageResponse = pageAnswer('verifiers', verifierResponse, 'VerifierPage', {
  verifierId: uuid,
  did: 'did:jwk:eyJrdHkiOiJFQyIsImNydiI6IlAtMjU2Iiwi…',
})

export const presentationRequestPageResponse = pageAnswer(
  'presentationRequests',
  presentationResultResponse
    .pick({ requestId: true, verifierId: true, status: true, responseMode: true, createdAt: true, expiresAt: true })
    .extend({ decidedAt: dateTime.optional(), cancelledAt: dateTime.optional() })
    .meta({ id: 'PresentationRequestSummary' }),
  'PresentationRequestPage',
  {
    requestId: uuid,
    verifierId: uuid,
    status: 'pending',
    responseMode: 'direct_post.jwt',
    createdAt: '2026-06-30T12:00:00.000Z',
    expiresAt: '2026-06-30T12:05:00.000Z',
  },
)

export const deletedVerifierResponse = z
  .object({
    verifierId: z.string(),
    status: z.literal('deleted'),
    deletedAt: dateTime,
    cancelledRequests: z.number().int().min(0).meta({ description: 'Its open requests, cancelled now' }),
  })
  .meta({
    id: 'DeletedVerifier',
    examples: [{ verifierId: uuid, status: 'deleted', deletedAt: '2026-07-01T09:00:00.000Z', cancelledRequests: 1 }],
  })

export const cancelledPresentationRequestResponse = z
  .object({ requestId: z.string(), status: z.literal('cancelled'), cancelledAt: dateTime })
  .meta({
    id: 'CancelledPresentationRequest',
    examples: [{ requestId: uuid, status: 'cancelled', cancelledAt: '2026-07-01T09:00:00.000Z' }],
  })
