import { parseSdJwtPresentation } from '@attesto/protocol-kit/sd-jwt'
import type { AgentContext } from '@credo-ts/core'
import { type DcqlMdocPresentation, DcqlPresentationResult, DcqlQuery, type DcqlSdJwtVcPresentation } from 'dcql'
import { type MdocHandoverInput, mdocSessionTranscript } from './mdocSessionTranscript.js'
import { PresentationRefusal, type RejectionReason, rejectionReason } from './rejectionReason.js'
import { withoutTrustedAuthorities } from './trustedAuthorities.js'
import type { PresentedCredential, VerificationSession } from './VerificationSession.js'
import type { TrustAnchor } from './verifierDocuments.js'
import { type VerifiedCredential, verifyCredentialPresentation } from './verifyCredentialPresentation.js'
import { verifyMdocPresentation } from './verifyMdocPresentation.js'

export interface VerifiedEntry {
  queryId: string
  credential: VerifiedCredential
}

const MAX_PRESENTATIONS = 20
/** JWT and SD-JWT VC claims about the credential itself rather than its subject. */
const REGISTERED_CLAIMS = new Set(['iss', 'vct', 'cnf', 'iat', 'exp', 'nbf', 'status', '_sd_alg'])

/** OID4VP 1.0 §8.1: `{ <credential query id>: [presentation, …] }`, as an object or its JSON. */
function vpTokenEntries(vpToken: unknown): [string, unknown[]][] {
  let token = vpToken
  if (typeof token === 'string') {
    try {
      token = JSON.parse(token)
    } catch (error) {
      throw new PresentationRefusal('verification_failed', 'vp_token is not a JSON object', false, { cause: error })
    }
  }
  if (!token || typeof token !== 'object' || Array.isArray(token)) {
    throw new PresentationRefusal('verification_failed', 'vp_token is not an object of credential query ids')
  }
  const entries = Object.entries(token as Record<string, unknown>)
  const count = entries.reduce((sum, [, value]) => sum + (Array.isArray(value) ? value.length : 0), 0)
  if (entries.length === 0 || count > MAX_PRESENTATIONS || entries.some(([, v]) => !Array.isArray(v) || !v.length)) {
    throw new PresentationRefusal('verification_failed', 'vp_token must map query ids to non-empty presentation lists')
  }
  return entries as [string, unknown[]][]
}

/**
 * The issuers the vp_token names, read without verifying anything (to look up their trust), and
 * whether any credential is signed under an X.509 chain (then the tenant's anchors are needed).
 */
export function issuersOf(vpToken: unknown): { dids: string[]; x509: boolean } {
  try {
    const entries = vpTokenEntries(vpToken).flatMap(([, list]) => list)
    // An mdoc (a DeviceResponse, not an SD-JWT) is always signed under an X.509 chain.
    const mdoc = entries.some((entry) => typeof entry === 'string' && !entry.includes('~'))
    const issuerJwts = entries
      .filter((entry) => typeof entry !== 'string' || entry.includes('~'))
      .map((entry) => parseSdJwtPresentation(entry).issuerJwt)
    const dids = issuerJwts.map((jwt) => (jwt.header.x5c === undefined ? jwt.payload.iss : undefined))
    return {
      dids: [...new Set(dids.filter((iss): iss is string => typeof iss === 'string'))],
      x509: mdoc || issuerJwts.some((jwt) => jwt.header.x5c !== undefined),
    }
  } catch {
    return { dids: [], x509: false }
  }
}

/**
 * Verifies every presentation of a vp_token for the request in `session`, and that together
 * they satisfy its DCQL query. Throws {@link PresentationRefusal} (the request stays open).
 */
export async function verifyVpToken(
  agentContext: AgentContext,
  vpToken: unknown,
  session: VerificationSession,
  nowSeconds: number,
  anchors: readonly TrustAnchor[] = [],
  mdocHandover?: Omit<MdocHandoverInput, 'clientId' | 'nonce'>,
): Promise<VerifiedEntry[]> {
  // trusted_authorities are the policy's to check (trustedAuthoritiesVerdict), with a reason of their own.
  const query = DcqlQuery.parse(withoutTrustedAuthorities(session.dcqlQuery) as never)
  const verified: VerifiedEntry[] = []
  let sessionTranscript: Uint8Array | undefined
  for (const [queryId, presentations] of vpTokenEntries(vpToken)) {
    const credentialQuery = query.credentials.find((credential) => credential.id === queryId)
    if (!credentialQuery) {
      throw new PresentationRefusal(
        'verification_failed',
        `vp_token answers '${queryId}', which the query does not ask`,
      )
    }
    for (const presentation of presentations) {
      if (credentialQuery.format === 'mso_mdoc') {
        if (!mdocHandover) throw new Error('An mdoc query needs the request’s response_uri')
        sessionTranscript ??= mdocSessionTranscript({
          clientId: session.clientId,
          nonce: session.nonce,
          ...mdocHandover,
        })
        const docType = credentialQuery.meta?.doctype_value ?? ''
        const expected = { docType, sessionTranscript, nowSeconds, anchors }
        verified.push({ queryId, credential: await verifyMdocPresentation(presentation, expected) })
        continue
      }
      const expected = { nonce: session.nonce, audience: session.clientId, nowSeconds, anchors }
      verified.push({ queryId, credential: await verifyCredentialPresentation(agentContext, presentation, expected) })
    }
  }
  const dcqlPresentation: Record<string, (DcqlSdJwtVcPresentation | DcqlMdocPresentation)[]> = {}
  for (const { queryId, credential } of verified) {
    dcqlPresentation[queryId] ??= []
    dcqlPresentation[queryId].push(
      credential.format === 'mso_mdoc'
        ? {
            credential_format: 'mso_mdoc',
            doctype: credential.docType ?? '',
            namespaces: credential.claims as DcqlMdocPresentation['namespaces'],
            cryptographic_holder_binding: true,
          }
        : {
            credential_format: 'dc+sd-jwt',
            vct: credential.vct ?? '',
            claims: credential.claims as DcqlSdJwtVcPresentation['claims'],
            cryptographic_holder_binding: true,
          },
    )
  }
  let satisfied = false
  try {
    satisfied = DcqlPresentationResult.fromDcqlPresentation(dcqlPresentation, { dcqlQuery: query }).can_be_satisfied
  } catch (error) {
    throw new PresentationRefusal('verification_failed', 'The presentation does not fit the query', false, {
      cause: error,
    })
  }
  if (!satisfied) throw new PresentationRefusal('verification_failed', 'The presentation does not satisfy the query')
  return verified
}

/**
 * The tenant's policy on a verified presentation: every issuer trusted, every credential within
 * its validity period. Undefined when it passes. Statuses are checked next
 * ({@link checkCredentialStatus}), for trusted issuers only.
 */
export function policyVerdict(
  verified: VerifiedEntry[],
  trusted: Set<string>,
  nowSeconds: number,
): RejectionReason | undefined {
  // A credential under an X.509 chain is trusted when its chain leads to one of the tenant's
  // anchors; any other by its DID.
  const untrusted = [
    ...new Set(
      verified
        .filter(({ credential }) =>
          credential.issuerCertificate ? !credential.issuerCertificate.anchor : !trusted.has(credential.issuer),
        )
        .map(({ credential }) => credential.issuer),
    ),
  ]
  if (untrusted.length > 0) {
    return rejectionReason(
      'untrusted_issuer',
      undefined,
      `Issuer ${untrusted.join(', ')} is not a trusted issuer of this tenant`,
    )
  }
  for (const { credential } of verified) {
    if (credential.validity) {
      if (credential.validity.expiresAt <= nowSeconds)
        return rejectionReason('verification_failed', 'A credential has expired (the MSO validUntil)')
      if (credential.validity.notBefore > nowSeconds)
        return rejectionReason('verification_failed', 'A credential is not yet valid (the MSO validFrom)')
      continue
    }
    const { exp, nbf } = credential.claims
    if (typeof exp === 'number' && exp <= nowSeconds)
      return rejectionReason('verification_failed', 'A credential has expired (exp)')
    if (typeof nbf === 'number' && nbf > nowSeconds)
      return rejectionReason('verification_failed', 'A credential is not yet valid (nbf)')
  }
  return undefined
}

/** The disclosed claims of each credential (registered claims removed), with its issuer and type; `statusUnavailable` marks one accepted without its status. */
export function presentedCredentials(verified: VerifiedEntry[], unchecked = new Set<number>()): PresentedCredential[] {
  return verified.map(({ queryId, credential }, index) => ({
    queryId,
    issuer: credential.issuer,
    ...(credential.issuerCertificate ? { issuerCertificate: credential.issuerCertificate } : {}),
    vct: credential.vct,
    ...(credential.format === 'mso_mdoc'
      ? { format: 'mso_mdoc' as const, docType: credential.docType, claims: credential.claims }
      : {
          claims: Object.fromEntries(
            Object.entries(credential.claims).filter(([name]) => !REGISTERED_CLAIMS.has(name)),
          ),
        }),
    ...(unchecked.has(index) ? { statusUnavailable: true } : {}),
  }))
}
