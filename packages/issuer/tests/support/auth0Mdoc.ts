import type { JsonWebKey } from 'node:crypto'
import mdl from '@auth0/mdl'
import { cborEncode } from '@auth0/mdl/lib/cbor/index.js'

// An independent check of an issued mdoc with @auth0/mdl (Auth0's ISO/IEC 18013-5 implementation,
// which shares no code with the issuer's @animo-id/mdoc): the wallet presents it (a DeviceResponse
// signed with its device key) and Auth0's verifier checks the issuer signature up to the trust
// anchor, the validity, the value digests and the device signature against the MSO's device key.

/** A CBOR text string (RFC 8949 major type 3) of under 256 bytes: the few fixed keys below. */
function text(value: string): Buffer {
  const bytes = Buffer.from(value)
  if (bytes.length > 255) throw new Error('short texts only')
  return Buffer.concat([Buffer.from(bytes.length < 24 ? [0x60 + bytes.length] : [0x78, bytes.length]), bytes])
}

/**
 * `{ version: "1.0", documents: [{ docType, issuerSigned }], status: 0 }` around the issuer's
 * IssuerSigned bytes exactly as issued (spliced in, never decoded and re-encoded), which is what
 * Auth0's parser reads.
 */
export function asDeviceResponse(docType: string, issuerSigned: Uint8Array): Buffer {
  return Buffer.concat([
    Buffer.from([0xa3]), // map of 3
    text('version'),
    text('1.0'),
    text('documents'),
    Buffer.from([0x81, 0xa2]), // array of 1, map of 2
    text('docType'),
    text(docType),
    text('issuerSigned'),
    issuerSigned,
    text('status'),
    Buffer.from([0x00]),
  ])
}

/** The issued mdoc as Auth0's parser reads it: its namespaces and its MSO. */
export function parseIssued(docType: string, issuerSigned: Uint8Array) {
  const [document] = mdl.parse(asDeviceResponse(docType, issuerSigned)).documents
  if (!document) throw new Error('no document')
  return document
}

export interface Auth0Verification {
  /** Every check Auth0's verifier made: `PASSED` or `FAILED`, and what it checked. */
  checks: { status: string; check: string }[]
  failed: string[]
  /** The disclosed values, by namespace and data element. */
  disclosed: Record<string, Record<string, unknown>>
}

/**
 * The wallet (holding `devicePrivateJwk`) discloses every data element of `claims` in a
 * DeviceResponse built by Auth0's library, and Auth0's verifier checks it against `trustAnchorPem`.
 */
export async function presentAndVerify(
  docType: string,
  issuerSigned: Uint8Array,
  claims: Record<string, Record<string, unknown>>,
  devicePrivateJwk: JsonWebKey,
  trustAnchorPem: string,
): Promise<Auth0Verification> {
  const fields = Object.entries(claims).flatMap(([namespace, elements]) =>
    Object.keys(elements).map((element) => ({ path: [`$['${namespace}']['${element}']`], intent_to_retain: false })),
  )
  const definition = {
    id: 'everything',
    input_descriptors: [
      { id: docType, format: { mso_mdoc: { alg: ['ES256'] } }, constraints: { limit_disclosure: 'required', fields } },
    ],
  }
  const transcript = cborEncode(mdl.DataItem.fromData([null, null, ['attesto', 'mdoc issuance test']]))
  const response = await mdl.DeviceResponse.from(mdl.parse(asDeviceResponse(docType, issuerSigned)))
    .usingPresentationDefinition(definition)
    .usingSessionTranscriptBytes(transcript)
    .authenticateWithSignature(
      devicePrivateJwk as Parameters<mdl.DeviceResponse['authenticateWithSignature']>[0],
      'ES256',
    )
    .sign()
  const checks: Auth0Verification['checks'] = []
  const verified = await new mdl.Verifier([trustAnchorPem]).verify(response.encode(), {
    encodedSessionTranscript: transcript,
    onCheck: (check) => checks.push(check),
  })
  const [document] = verified.documents
  const disclosed = Object.fromEntries(
    Object.entries(document?.issuerSigned.nameSpaces ?? {}).map(([namespace, items]) => [
      namespace,
      Object.fromEntries(items.map((item) => [item.elementIdentifier, item.elementValue])),
    ]),
  )
  return { checks, failed: checks.filter((check) => check.status === 'FAILED').map((check) => check.check), disclosed }
}
