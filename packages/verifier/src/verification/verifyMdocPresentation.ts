import {
  DeviceSignedDocument,
  type IssuerSignedDocument,
  MDocStatus,
  parseDeviceResponse,
  Verifier,
} from '@animo-id/mdoc'
import { asRecord, mdocValueToJson } from './mdocValues.js'
import { mdocVerificationContext, verifiesSign1 } from './mdocVerificationContext.js'
import { PresentationRefusal, type RejectionCode } from './rejectionReason.js'
import type { TrustAnchor } from './verifierDocuments.js'
import type { VerifiedCredential } from './verifyCredentialPresentation.js'
import { x509IssuerIdentity } from './x509IssuerIdentity.js'

/** A DeviceResponse larger than this is refused before it is decoded. */
const MAX_DEVICE_RESPONSE_BYTES = 256 * 1024

export interface MdocExpectation {
  /** The query's `meta.doctype_value`. */
  docType: string
  /** {@link mdocSessionTranscript} of this request: what the device signature must cover. */
  sessionTranscript: Uint8Array
  nowSeconds: number
  anchors: readonly TrustAnchor[]
}

const refuse = (code: RejectionCode, detail: string, cause?: unknown) =>
  new PresentationRefusal(code, detail, false, cause === undefined ? undefined : { cause })

/** The one document of a base64url DeviceResponse (HAIP 1.0 §5.3.1: one mdoc per DeviceResponse). */
function deviceSignedDocument(presentation: unknown): DeviceSignedDocument {
  if (typeof presentation !== 'string' || !/^[A-Za-z0-9_-]+$/.test(presentation)) {
    throw refuse('verification_failed', 'An mdoc presentation is not a base64url DeviceResponse')
  }
  if ((presentation.length * 3) / 4 > MAX_DEVICE_RESPONSE_BYTES) {
    throw refuse('verification_failed', 'The DeviceResponse is too large')
  }
  let documents: IssuerSignedDocument[]
  let status: unknown
  try {
    ;({ documents, status } = parseDeviceResponse(Buffer.from(presentation, 'base64url')))
  } catch (error) {
    throw refuse('verification_failed', 'The mdoc presentation is not a DeviceResponse (ISO/IEC 18013-5)', error)
  }
  if (status !== MDocStatus.OK) throw refuse('verification_failed', 'The DeviceResponse status is not OK (0)')
  const [document] = documents
  if (!document || documents.length !== 1) {
    throw refuse('verification_failed', 'A DeviceResponse must hold exactly one document')
  }
  if (!(document instanceof DeviceSignedDocument)) {
    throw refuse('verification_failed', 'The mdoc is not signed by its device (no deviceSigned)')
  }
  return document
}

/** The issuer's COSE_Sign1 over the MSO: its `x5chain` checked to the tenant's anchors, its ES256 signature. */
async function issuerAuthentication(document: DeviceSignedDocument, expected: MdocExpectation) {
  const { issuerAuth } = document.issuerSigned
  let x5chain: Uint8Array[]
  try {
    x5chain = issuerAuth.certificateChain
  } catch (error) {
    throw refuse('invalid_certificate', 'The issuer signature carries no x5chain', error)
  }
  if (!Array.isArray(x5chain) || !x5chain.every((certificate) => certificate instanceof Uint8Array)) {
    throw refuse('invalid_certificate', 'The x5chain is not a list of DER certificates')
  }
  const x5c = x5chain.map((certificate) => Buffer.from(certificate).toString('base64'))
  const identity = await x509IssuerIdentity(x5c, expected.anchors, new Date(expected.nowSeconds * 1000))
  const jwk = identity.key.export({ format: 'jwk' })
  let valid = false
  try {
    valid = issuerAuth.algName === 'ES256' && verifiesSign1(issuerAuth, jwk)
  } catch (error) {
    throw refuse('invalid_signature', 'The issuer signature over the MSO cannot be checked', error)
  }
  if (!valid) throw refuse('invalid_signature', "The issuer's signature over the MSO does not verify (ES256)")
  return identity
}

/** The MSO's claims about itself: docType, digest algorithm, validity (with `signed` inside the DS certificate's). */
function checkMso(document: DeviceSignedDocument, expected: MdocExpectation, certificateNotAfter: string) {
  const mso = document.issuerSigned.issuerAuth.decodedPayload
  if (mso.docType !== document.docType || document.docType !== expected.docType) {
    throw refuse(
      'verification_failed',
      `The mdoc is a '${String(mso.docType)}', not the '${expected.docType}' asked for`,
    )
  }
  if (mso.digestAlgorithm !== 'SHA-256') throw refuse('verification_failed', 'The MSO digest algorithm is not SHA-256')
  const { signed, validFrom, validUntil } = mso.validityInfo ?? {}
  if (!(signed instanceof Date) || !(validFrom instanceof Date) || !(validUntil instanceof Date)) {
    throw refuse('verification_failed', 'The MSO has no validity (signed, validFrom, validUntil)')
  }
  if (signed.getTime() > Date.parse(certificateNotAfter)) {
    throw refuse('verification_failed', "The MSO was signed after its document signer's certificate expired")
  }
  return {
    validFrom: Math.floor(validFrom.getTime() / 1000),
    validUntil: Math.floor(validUntil.getTime() / 1000),
    status: asRecord(mso)?.status,
  }
}

/** Every disclosed data element against its value digest in the MSO; answers them per namespace, as JSON. */
async function disclosedElements(document: DeviceSignedDocument) {
  const { issuerAuth, nameSpaces } = document.issuerSigned
  const claims: Record<string, Record<string, unknown>> = {}
  for (const [namespace, items] of nameSpaces ?? new Map()) {
    const elements: Record<string, unknown> = {}
    for (const item of items) {
      if (!(await item.isValid(namespace, issuerAuth, mdocVerificationContext))) {
        throw refuse(
          'invalid_disclosure',
          `The data element ${namespace}/${item.elementIdentifier} does not match its digest in the MSO`,
        )
      }
      if (item.matchCertificate(namespace, issuerAuth, mdocVerificationContext) === false) {
        throw refuse(
          'verification_failed',
          `${namespace}/${item.elementIdentifier} does not match the document signer certificate's issuer`,
        )
      }
      if (Object.hasOwn(elements, item.elementIdentifier)) {
        throw refuse('invalid_disclosure', `The data element ${namespace}/${item.elementIdentifier} is disclosed twice`)
      }
      elements[item.elementIdentifier] = mdocValueToJson(item.elementValue)
    }
    claims[namespace] = elements
  }
  return claims
}

/** The device signature (ES256, with the MSO's device key) over this request's session transcript. */
async function deviceAuthentication(document: DeviceSignedDocument, sessionTranscript: Uint8Array) {
  if (document.deviceSigned.deviceAuth.deviceMac) {
    throw refuse(
      'invalid_signature',
      'Device MAC authentication is not supported: sign with the device key (deviceSignature)',
    )
  }
  const failed: string[] = []
  await new Verifier().verifyDeviceSignature(
    {
      deviceSigned: document,
      sessionTranscriptBytes: sessionTranscript,
      onCheckG: (check) => {
        if (check.status === 'FAILED') failed.push(check.reason ?? check.check)
      },
    },
    mdocVerificationContext,
  )
  if (failed.length > 0) {
    throw refuse(
      'invalid_signature',
      'The device signature does not verify over this request (client_id, nonce, response key, response_uri): it was made for another request, or with another key',
    )
  }
}

/**
 * Verifies one `mso_mdoc` presentation (OpenID4VP 1.0 Appendix B.2): a base64url DeviceResponse
 * with one document of the queried docType; the issuer's ES256 COSE_Sign1 over the MSO, its
 * `x5chain` valid and looked up against the tenant's anchors (trust itself is the policy's); the
 * digest of every disclosed data element; the MSO's docType and validity; the device signature
 * with the MSO's device key over this request's session transcript. Throws
 * {@link PresentationRefusal} with the failed check.
 */
export async function verifyMdocPresentation(
  presentation: unknown,
  expected: MdocExpectation,
): Promise<VerifiedCredential> {
  const document = deviceSignedDocument(presentation)
  let identity: Awaited<ReturnType<typeof issuerAuthentication>>
  let mso: ReturnType<typeof checkMso>
  let claims: Record<string, Record<string, unknown>>
  try {
    identity = await issuerAuthentication(document, expected)
    mso = checkMso(document, expected, identity.notAfter)
    claims = await disclosedElements(document)
    await deviceAuthentication(document, expected.sessionTranscript)
  } catch (error) {
    // Whatever else the library or the decoder throws on a structure it did not expect.
    if (error instanceof PresentationRefusal) throw error
    throw refuse('verification_failed', 'The mdoc is malformed', error)
  }
  const { key, authorityKeyIds, ...issuerCertificate } = identity
  return {
    format: 'mso_mdoc',
    issuer: identity.subject,
    issuerCertificate,
    authorityKeyIds,
    vct: undefined,
    docType: document.docType,
    claims,
    validity: { notBefore: mso.validFrom, expiresAt: mso.validUntil },
    ...(mso.status === undefined ? {} : { status: mdocValueToJson(mso.status) }),
    issuerKey: key,
  }
}
