import { keyCertificateResponse, pageAnswer } from '@attesto/agent-runtime'
import { z } from 'zod'
import { dcqlInput } from '../verification/dcqlInput.js'

/**
 * What the verifier's REST routes answer, as zod schemas next to the request schemas: the OpenAPI
 * document is generated from both (each route's operation), a test checks every real answer
 * against it, and the routes' answers are typed by them. These are the verifiers' and the trust
 * answers; presentationResponses.ts has the presentation requests'.
 */

export const dateTime = z.iso.datetime({ offset: true })
export const EXAMPLE_ID = '3f1d2c4b-7a8e-4b6f-9d0c-1e2a3b4c5d6e'

export const verifierCertificateResponse = keyCertificateResponse('VerifierCertificate', {
  subject: 'CN=Bank of Examples, O=Bank of Examples, C=NL',
  issuer: 'CN=Example National Issuing CA',
  serialNumber: '5c1e9a7b3d20',
  notBefore: '2026-12-01T00:00:00.000Z',
  notAfter: '2027-12-01T00:00:00.000Z',
  sha256: 'Uvo3HtuIxuhC92rShpgqcT3YXwrqRxWEviRiA0OZszk',
  dnsNames: ['verifier.example'],
  uris: [`https://verifier.example/oid4vp/${EXAMPLE_ID}`],
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
  .meta({
    id: 'Verifier',
    examples: [{ verifierId: EXAMPLE_ID, did: 'did:jwk:eyJrdHkiOiJFQyIsImNydiI6IlAtMjU2Iiwi…' }],
  })

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

export const redirectUrisResponse = z.object({ verifierId: z.string(), redirectUris: z.array(z.string()) }).meta({
  id: 'VerifierRedirectUris',
  examples: [{ verifierId: EXAMPLE_ID, redirectUris: ['https://bank.example/verify/done'] }],
})

/** The management answers: the verifiers page by page, deletion. */

export const verifierPageResponse = pageAnswer('verifiers', verifierResponse, 'VerifierPage', {
  verifierId: EXAMPLE_ID,
  did: 'did:jwk:eyJrdHkiOiJFQyIsImNydiI6IlAtMjU2Iiwi…',
})

export const deletedVerifierResponse = z
  .object({
    verifierId: z.string(),
    status: z.literal('deleted'),
    deletedAt: dateTime,
    cancelledRequests: z.number().int().min(0).meta({ description: 'Its open requests, cancelled now' }),
  })
  .meta({
    id: 'DeletedVerifier',
    examples: [
      { verifierId: EXAMPLE_ID, status: 'deleted', deletedAt: '2026-07-01T09:00:00.000Z', cancelledRequests: 1 },
    ],
  })
