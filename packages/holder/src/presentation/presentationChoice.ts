import { ClaimFormat, type DcqlCredentialsForRequest, type DcqlQueryResult } from '@credo-ts/core'
import type { WalletCredential } from '../credentials/WalletCredential.js'
import { HolderWalletError } from '../errors/HolderWalletError.js'
import { disclosedPayloadOf, type ResolvedPresentationRequest, validMatches } from './ResolvedRequest.js'

/**
 * The holder's answer, as data: for each credential query id to answer, the id of the credential
 * (or, for a query with `multiple`, the ids) to present. Queries left out are not answered; the
 * choice must still answer the request (every query, or one option of each required credential set).
 */
export type PresentationChoice = Record<string, string | string[]>

/** The query ids a choice leaves unanswered although the request needs them (empty: it is complete). */
function unanswered(queryResult: DcqlQueryResult, chosen: ReadonlySet<string>): string[] {
  const sets = queryResult.credential_sets
  if (!sets) return queryResult.credentials.map((query) => query.id).filter((id) => !chosen.has(id))
  return sets
    .filter((set) => set.required !== false)
    .filter((set) => !(set.options as string[][]).some((option) => option.every((id) => chosen.has(id))))
    .map((set) => (set.options as string[][])[0]?.join(' + ') ?? '')
}

/** The credentials (and what each discloses) that Credo presents for `choice`; checked against the request first. */
export function credentialsForChoice(
  queryResult: DcqlQueryResult,
  choice: PresentationChoice,
): DcqlCredentialsForRequest {
  const credentials: DcqlCredentialsForRequest = {}
  for (const [queryId, chosen] of Object.entries(choice)) {
    const query = queryResult.credentials.find((candidate) => candidate.id === queryId)
    if (!query) throw new HolderWalletError('invalid_choice', `The request has no credential query '${queryId}'`)
    const ids = Array.isArray(chosen) ? chosen : [chosen]
    if (ids.length === 0 || (ids.length > 1 && query.multiple !== true)) {
      throw new HolderWalletError(
        'invalid_choice',
        `Query '${queryId}' takes ${query.multiple ? 'one or more credentials' : 'one credential'}`,
      )
    }
    const matches = validMatches(queryResult, queryId)
    credentials[queryId] = ids.map((id) => {
      const match = matches.find((candidate) => candidate.record.id === id)
      if (!match) {
        throw new HolderWalletError(
          'no_matching_credential',
          `Credential '${id}' does not match query '${queryId}' of this request`,
          {
            details: { queryId, credentialId: id, candidates: matches.map((candidate) => candidate.record.id) },
          },
        )
      }
      return {
        claimFormat: match.record.type === 'MdocRecord' ? ClaimFormat.MsoMdoc : ClaimFormat.SdJwtDc,
        credentialRecord: match.record,
        disclosedPayload: disclosedPayloadOf(match),
      }
    }) as DcqlCredentialsForRequest[string]
  }
  const missing = unanswered(queryResult, new Set(Object.keys(credentials)))
  if (missing.length > 0) {
    throw new HolderWalletError('invalid_choice', `The choice does not answer the request: ${missing.join(', ')}`, {
      details: { unanswered: missing },
    })
  }
  return credentials
}

/** The queries a complete answer needs: all of them, or the first answerable option of each required set. */
function neededQueries(resolved: ResolvedPresentationRequest): string[] {
  const answerable = new Set(resolved.queries.filter((query) => query.candidates.length > 0).map((query) => query.id))
  if (!resolved.credentialSets) return [...answerable]
  return resolved.credentialSets
    .filter((set) => set.required)
    .flatMap((set) => set.options.find((option) => option.every((id) => answerable.has(id))) ?? [])
}

/**
 * A complete choice for a resolved request: for each needed query, the credential `select` picks
 * among its candidates, or the first candidate.
 */
export function simpleChoice(
  resolved: ResolvedPresentationRequest,
  select: (queryId: string, candidates: WalletCredential[]) => string = (_, candidates) => candidates[0]?.id ?? '',
): PresentationChoice {
  return Object.fromEntries(
    neededQueries(resolved).map((queryId) => {
      const query = resolved.queries.find((candidate) => candidate.id === queryId)
      return [queryId, select(queryId, query?.candidates.map((candidate) => candidate.credential) ?? [])]
    }),
  )
}
