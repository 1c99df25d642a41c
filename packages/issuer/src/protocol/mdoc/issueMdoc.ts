import { randomInt } from 'node:crypto'
import { cborEncode, DateOnly, Document } from '@animo-id/mdoc'
import { ProtocolError } from '@attesto/agent-runtime'
import { publicJwkOf, publicKeyFromJwk, publicKeyFromSelfDescribingDid } from '@attesto/protocol-kit/jose'
import type { HolderBinding, IssuanceSession } from '../../issuance/IssuanceSession.js'
import { DEFAULT_CREDENTIAL_VALIDITY_SECONDS } from '../../issuers/configurationParts.js'
import type { ResolvedIssuer } from '../../issuers/IssuerDirectory.js'
import { type MdocConfiguration, type MdocElementType, mdocClaimProblems } from '../../issuers/mdocConfiguration.js'
import { kmsMdocContext } from './kmsMdocContext.js'

/** COSE header parameter `x5chain` (RFC 9360). */
const X5CHAIN = 33

const denied = (description: string) => new ProtocolError(400, 'credential_request_denied', description)

/** The wallet's proof key as the mdoc's device key: a P-256 public JWK (it becomes the MSO's COSE_Key). */
function deviceJwk(holder: HolderBinding) {
  const key = 'jwk' in holder ? publicKeyFromJwk(holder.jwk) : publicKeyFromSelfDescribingDid(holder.kid)
  if (key?.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new ProtocolError(400, 'invalid_proof', 'An mso_mdoc credential binds a P-256 device key: prove an ES256 key')
  }
  const { kty, crv, x, y } = publicJwkOf(key)
  return { kty: kty as string, crv: crv as string, x: x as string, y: y as string }
}

/** An offer's JSON value as the CBOR type of its data element (checked against the configuration before). */
function elementValue(type: MdocElementType, value: unknown): unknown {
  if (type === 'full-date') return new DateOnly(value as string)
  if (type === 'tdate') return new Date(value as string)
  if (type === 'bytes') return new Uint8Array(Buffer.from(value as string, 'base64'))
  return value
}

/** The entries in random order (Fisher-Yates): the digest IDs, given in order, then say nothing of the element. */
function shuffled<T>(entries: T[]): T[] {
  for (let index = entries.length - 1; index > 0; index--) {
    const other = randomInt(index + 1)
    ;[entries[index], entries[other]] = [entries[other] as T, entries[index] as T]
  }
  return entries
}

/** The offer's claims by namespace, as the mdoc library takes them; elements (and namespaces) without a value are left out. */
function namespacesOf(configuration: MdocConfiguration, claims: Record<string, unknown>) {
  return Object.entries(configuration.namespaces)
    .map(([namespace, elements]) => {
      const values = (Object.hasOwn(claims, namespace) ? claims[namespace] : {}) as Record<string, unknown>
      const present = elements.filter((element) => Object.hasOwn(values, element.name) && values[element.name] != null)
      const items = present.map((element) => [element.name, elementValue(element.type, values[element.name])] as const)
      return [namespace, Object.fromEntries(shuffled(items))] as const
    })
    .filter(([, values]) => Object.keys(values).length > 0)
}

/** The MSO's validity: signed now (whole seconds, as tdate has them), valid from then or the offer's later start. */
function validityOf(
  configuration: MdocConfiguration,
  session: Pick<IssuanceSession, 'credentialNotBefore' | 'credentialExpiresAt'>,
) {
  const now = Math.floor(Date.now() / 1000)
  const validitySeconds = configuration.validitySeconds ?? DEFAULT_CREDENTIAL_VALIDITY_SECONDS
  return {
    signed: new Date(now * 1000),
    // ISO/IEC 18013-5 §9.1.2.4: validFrom is not earlier than signed.
    validFrom: new Date(Math.max(now, session.credentialNotBefore ?? now) * 1000),
    validUntil: new Date((session.credentialExpiresAt ?? now + validitySeconds) * 1000),
  }
}

/**
 * An ISO/IEC 18013-5 mdoc (OID4VCI 1.0 Appendix A.2, `mso_mdoc`), built and encoded by the mdoc
 * library (@animo-id/mdoc): one IssuerSignedItem per data element with a 32-byte random salt,
 * their SHA-256 value digests in the Mobile Security Object, the wallet's proof key as the
 * device key (COSE_Key), the validity (signed, validFrom, validUntil), and the MSO signed as a
 * COSE_Sign1 with ES256 by the issuer's key in the tenant's KMS, with the issuer's
 * document-signer chain (leaf and intermediates, never the root) in the unprotected `x5chain`.
 * Answers the IssuerSigned structure, CBOR, base64url (OID4VCI 1.0 A.2.4). No status: see
 * docs/MDOC.md.
 */
export async function issueMdoc(
  issuer: ResolvedIssuer,
  configuration: MdocConfiguration,
  session: Pick<IssuanceSession, 'claims' | 'credentialNotBefore' | 'credentialExpiresAt'>,
  holder: HolderBinding,
): Promise<string> {
  const { certificate } = issuer.profile
  if (!certificate || issuer.alg !== 'ES256') {
    throw denied('The issuer cannot sign mdocs now (no document-signer certificate): try again later')
  }
  // The configuration may have changed since the offer was checked against it.
  if (mdocClaimProblems(configuration, session.claims).length > 0) {
    throw denied("The offer's claims no longer fit its credential configuration")
  }
  const context = kmsMdocContext(issuer.tenantContext, issuer.profile.keyId)
  const document = new Document(configuration.doctype, context)
    .useDigestAlgorithm('SHA-256')
    .addValidityInfo(validityOf(configuration, session))
    .addDeviceKeyInfo({ deviceKey: deviceJwk(holder) })
  for (const [namespace, values] of namespacesOf(configuration, session.claims)) {
    document.addIssuerNameSpace(namespace, values)
  }
  const chain = certificate.x5c.map((entry) => new Uint8Array(Buffer.from(entry, 'base64')))
  const signed = await document.sign(
    { issuerPrivateKey: publicJwkOf(issuer.publicKey), issuerCertificate: chain[0] as Uint8Array, alg: 'ES256' },
    context,
  )
  // The library writes the leaf alone; intermediates go in the same unprotected header (RFC 9360: an array).
  if (chain.length > 1) signed.issuerSigned.issuerAuth.unprotectedHeaders.set(X5CHAIN, chain)
  return Buffer.from(cborEncode(signed.prepare().get('issuerSigned'))).toString('base64url')
}
