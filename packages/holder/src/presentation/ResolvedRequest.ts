import type { DcqlQueryResult } from '@credo-ts/core'
import type { WalletRecord } from '../credentials/WalletCredential.js'
import type { ClaimPath } from '../display/displayTypes.js'
import { candidateOf, type PresentationCandidate } from './disclosedClaims.js'
import type { RequestVerifier } from './requestVerifier.js'

/** One credential the verifier asks for (a DCQL credential query), and the wallet's credentials that answer it. */
export interface CredentialQueryView {
  /** The query id: the key of a choice. */
  id: string
  format: string
  /** The SD-JWT VC types it accepts. */
  vctValues?: string[]
  /** The mdoc document type it accepts (`mso_mdoc`). */
  doctypeValue?: string
  /** The claims it names (empty: the query names none, and only plain claims are disclosed). */
  requestedClaims: ClaimPath[]
  /** Whether several credentials may answer it. */
  multiple: boolean
  /** The wallet's credentials that match, each with exactly what it would disclose. Empty: none. */
  candidates: PresentationCandidate[]
}

/** DCQL `credential_sets`: answer one option (a list of query ids) of each required set. */
export interface CredentialSetView {
  options: string[][]
  required: boolean
  purpose?: unknown
  /** Whether one of its options can be answered with the wallet's credentials. */
  satisfiable: boolean
}

/** A presentation request, read and checked but not answered: the data of the consent screen. */
export interface ResolvedPresentationRequest {
  /** Identifies this request in the wallet until it is answered. */
  id: string
  /** The request as received (answering after a restart resolves it again from this). */
  requestUri: string
  verifier: RequestVerifier
  queries: CredentialQueryView[]
  /** Present when the request groups its queries into alternatives. */
  credentialSets?: CredentialSetView[]
  /** Whether the wallet holds credentials that answer the whole request. */
  satisfiable: boolean
  responseMode?: string
}

type Json = Record<string, unknown>

interface ValidMatch {
  record: WalletRecord
  claims?: { valid_claim_sets?: { output?: unknown }[] }
}

/** The matches of a query, one per credential record (DCQL lists a record once per format it could be). */
export function validMatches(queryResult: DcqlQueryResult, queryId: string): ValidMatch[] {
  const match = queryResult.credential_matches[queryId] as { success: boolean; valid_credentials?: unknown[] }
  if (!match?.success) return []
  const seen = new Set<string>()
  return (match.valid_credentials as ValidMatch[]).filter((entry) => {
    const known = entry.record.type === 'SdJwtVcRecord' || entry.record.type === 'MdocRecord'
    if (!known || seen.has(entry.record.id)) return false
    seen.add(entry.record.id)
    return true
  })
}

/** What presenting a match discloses: the credential with only the requested disclosures applied. */
export const disclosedPayloadOf = (match: ValidMatch) => (match.claims?.valid_claim_sets?.[0]?.output ?? {}) as Json

/** The consent screen's queries and credential sets, from Credo's DCQL matching of the wallet's credentials. */
export function describeQueries(queryResult: DcqlQueryResult) {
  const queries: CredentialQueryView[] = queryResult.credentials.map((query) => {
    const meta = (query.meta ?? {}) as Json
    return {
      id: query.id,
      format: query.format,
      ...(Array.isArray(meta.vct_values) ? { vctValues: meta.vct_values as string[] } : {}),
      ...(typeof meta.doctype_value === 'string' ? { doctypeValue: meta.doctype_value } : {}),
      requestedClaims: ((query.claims ?? []) as { path: ClaimPath }[]).map((claim) => claim.path),
      multiple: query.multiple === true,
      candidates: validMatches(queryResult, query.id).map((match) =>
        candidateOf(match.record, disclosedPayloadOf(match)),
      ),
    }
  })
  const answerable = new Set(queries.filter((query) => query.candidates.length > 0).map((query) => query.id))
  const credentialSets = queryResult.credential_sets?.map((set) => ({
    options: set.options as string[][],
    required: set.required !== false,
    ...(set.purpose !== undefined ? { purpose: set.purpose } : {}),
    satisfiable: (set.options as string[][]).some((option) => option.every((id) => answerable.has(id))),
  }))
  return { queries, ...(credentialSets ? { credentialSets } : {}), satisfiable: queryResult.can_be_satisfied }
}
