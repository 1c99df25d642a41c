import { keyCertificateResponse } from '@attesto/agent-runtime'
import { z } from 'zod'
import { OFFER_STATUSES } from '../issuance/offerStatus.js'
import { displayInput } from '../issuers/credentialConfiguration.js'
import { mdocConfigurationInput } from '../issuers/mdocConfiguration.js'
import { sdJwtVcConfigurationInput } from '../issuers/sdJwtVcConfiguration.js'
import { clientAttestationInput, dpopInput } from '../issuers/senderConstraints.js'

/**
 * What the issuer's REST routes answer, as zod schemas next to the request schemas: the OpenAPI
 * document is generated from both (openapi.ts), a test checks every real answer against it, and
 * the routes' answers are typed by them.
 */

const dateTime = z.iso.datetime({ offset: true })
const uuid = '5b0e3a52-6d0b-4f53-9c1a-0e7f7d2a9b41'

/** A stored configuration; configurations stored before a field existed may lack it (the default then applies). */
export const credentialConfigurationResponse = z
  .discriminatedUnion('format', [
    sdJwtVcConfigurationInput.extend({
      deferred: z.boolean().optional(),
      validitySeconds: z.number().int().optional(),
      revocable: z
        .boolean()
        .optional()
        .meta({ description: 'Absent on configurations stored before revocation: not revocable' }),
      suspendable: z.boolean().optional(),
    }),
    mdocConfigurationInput,
  ])
  .meta({
    id: 'CredentialConfiguration',
    examples: [
      {
        id: 'diploma',
        vct: 'https://university.example/credentials/diploma',
        deferred: false,
        validitySeconds: 31536000,
        revocable: true,
        suspendable: true,
        claims: [
          { name: 'given_name', type: 'string', required: true, selectivelyDisclosable: true },
          { name: 'graduated_on', type: 'date', required: false, selectivelyDisclosable: true },
        ],
      },
      {
        id: 'mdl',
        format: 'mso_mdoc',
        doctype: 'org.iso.18013.5.1.mDL',
        deferred: false,
        validitySeconds: 2592000,
        revocable: false,
        namespaces: {
          'org.iso.18013.5.1': [
            { name: 'family_name', type: 'string', required: true },
            { name: 'birth_date', type: 'full-date', required: true },
            { name: 'portrait', type: 'bytes', required: false },
          ],
        },
      },
    ],
  })

export const issuerCertificateResponse = keyCertificateResponse('IssuerCertificate', {
  subject: 'CN=University of Examples, O=University of Examples, C=NL',
  issuer: 'CN=Example National Issuing CA',
  serialNumber: '3f6a1c0e9b2d',
  notBefore: '2026-12-01T00:00:00.000Z',
  notAfter: '2027-12-01T00:00:00.000Z',
  sha256: 'J8m2s9K1vQJ3Xn8pYwq0cEw0v4kQq8Hq0zZ2i6m4t2c',
  dnsNames: ['issuer.example'],
  uris: [`https://issuer.example/oid4vci/${uuid}`],
  uploadedAt: '2026-12-01T10:00:00.000Z',
  chainLength: 2,
})

export const issuerResponse = z
  .object({
    issuerId: z.string(),
    did: z.string(),
    credentialIssuer: z
      .url()
      .meta({ description: 'The OID4VCI credential issuer identifier (<PUBLIC_BASE_URL>/oid4vci/<issuerId>)' }),
    credentialConfigurations: z.array(credentialConfigurationResponse),
    batchSize: z.number().int().min(1).meta({
      description: 'Credentials one credential request may yield (batch_credential_issuance.batch_size when above 1)',
    }),
    dpop: dpopInput,
    clientAttestation: clientAttestationInput,
    display: displayInput.optional(),
    certificate: issuerCertificateResponse
      .optional()
      .meta({ description: 'The X.509 certificate of the issuer key: what it signs then carries x5c' }),
  })
  .meta({
    id: 'Issuer',
    examples: [
      {
        issuerId: uuid,
        did: 'did:jwk:eyJrdHkiOiJFQyIsImNydiI6IlAtMjU2Iiwi…',
        credentialIssuer: `https://issuer.example/oid4vci/${uuid}`,
        credentialConfigurations: [],
        batchSize: 10,
        dpop: 'required',
        clientAttestation: 'optional',
        display: [{ name: 'University of Examples', locale: 'en' }],
      },
    ],
  })
export type IssuerResponse = z.output<typeof issuerResponse>

export const createdOfferResponse = z
  .object({
    offerId: z.string(),
    uri: z.string().meta({ description: 'openid-credential-offer:// with the offer by value' }),
    txCode: z
      .string()
      .optional()
      .meta({ description: 'Present when a transaction code was requested: send it to the holder out of band' }),
    expiresAt: dateTime,
  })
  .meta({
    id: 'CreatedOffer',
    examples: [
      {
        offerId: uuid,
        uri: 'openid-credential-offer://?credential_offer=%7B%22credential_issuer%22%3A…',
        txCode: '493817',
        expiresAt: '2026-07-07T12:00:00.000Z',
      },
    ],
  })

export const credentialStatusValue = z.enum(['valid', 'revoked', 'suspended'])

export const credentialStatusResponse = z
  .object({
    status: credentialStatusValue,
    statusList: z.object({
      listId: z.string(),
      idx: z.number().int().min(0),
      indices: z
        .array(z.number().int().min(0))
        .optional()
        .meta({ description: "A batch's entries, one per credential (idx is the first); they share the status" }),
    }),
    changedAt: dateTime.optional(),
  })
  .meta({
    id: 'CredentialStatus',
    description: "The issued credential's status list entry (revocable configurations only)",
  })

export const offerStatusResponse = z
  .object({
    offerId: z.string(),
    issuerId: z.string(),
    credentialConfigurationIds: z.array(z.string()),
    status: z.enum(OFFER_STATUSES).meta({
      description:
        'failed: the offer is void (for example after too many wrong transaction codes). credential_accepted, credential_failed and credential_deleted: issued, and the wallet said so at the notification endpoint (walletNotification)',
    }),
    createdAt: dateTime
      .optional()
      .meta({ description: 'Absent once the offer itself is gone (its credential status stays)' }),
    expiresAt: dateTime.optional(),
    issuedAt: dateTime.optional(),
    credentialCount: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ description: 'Credentials issued on the offer (a batch: one per key the wallet proved)' }),
    walletNotification: z
      .object({
        event: z.enum(['credential_accepted', 'credential_failure', 'credential_deleted']),
        receivedAt: dateTime,
        description: z.string().optional().meta({ description: "The wallet's event_description" }),
      })
      .optional()
      .meta({ description: 'What the wallet last told about the credentials (OID4VCI notification endpoint)' }),
    credentialStatus: credentialStatusResponse.optional(),
    authorizationServer: z.string().optional().meta({
      description:
        "Made by a credential request with this external authorization server's access token (docs/AUTHORIZATION.md)",
    }),
    subject: z.string().optional().meta({ description: "With authorizationServer: the access token's sub" }),
  })
  .meta({
    id: 'OfferStatus',
    examples: [
      {
        offerId: uuid,
        issuerId: uuid,
        credentialConfigurationIds: ['diploma'],
        status: 'credential_issued',
        createdAt: '2026-06-30T12:00:00.000Z',
        expiresAt: '2026-07-07T12:00:00.000Z',
        issuedAt: '2026-06-30T12:01:10.000Z',
        credentialCount: 1,
        credentialStatus: { status: 'valid', statusList: { listId: '1', idx: 4711 } },
      },
    ],
  })
export type OfferStatusResponse = z.output<typeof offerStatusResponse>

export const claimsQueuedResponse = z
  .object({ offerId: z.string(), status: z.literal('claims_queued') })
  .meta({ id: 'ClaimsQueued' })

export const statusChangeResponse = z
  .object({
    offerId: z.string(),
    status: credentialStatusValue,
    changed: z.boolean().meta({ description: 'false when the credential had that status already' }),
    changedAt: dateTime.optional(),
  })
  .meta({
    id: 'StatusChange',
    examples: [{ offerId: uuid, status: 'revoked', changed: true, changedAt: '2026-07-01T09:00:00.000Z' }],
  })

export const statusChangeBatchResponse = z
  .object({
    batchId: z.string(),
    status: credentialStatusValue,
    count: z.number().int(),
    state: z.enum(['queued', 'running', 'finished', 'failed']),
    processed: z.number().int().optional(),
    result: z
      .object({
        changed: z.number().int(),
        unchanged: z.number().int(),
        refused: z.array(z.string()),
        notFound: z.array(z.string()),
      })
      .optional(),
  })
  .meta({
    id: 'StatusChangeBatch',
    examples: [{ batchId: '17', status: 'revoked', count: 2, state: 'queued' }],
  })
