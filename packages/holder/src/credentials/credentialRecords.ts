import { type Agent, RecordNotFoundError } from '@credo-ts/core'
import { HolderWalletError } from '../errors/HolderWalletError.js'
import type { WalletRecord } from './credentialMetadata.js'

/** Which credentials to list: SD-JWT VCs of one type, mdocs of one document type, or all. */
export interface CredentialQuery {
  vct?: string
  docType?: string
}

/** The wallet's credential records, by indexed queries (no scan): SD-JWT VCs first, then mdocs. */
export async function listRecords(agent: Agent, query: CredentialQuery = {}): Promise<WalletRecord[]> {
  const sdJwt = query.docType
    ? []
    : query.vct
      ? await agent.sdJwtVc.findAllByQuery({ vct: query.vct })
      : await agent.sdJwtVc.getAll()
  const mdoc = query.vct
    ? []
    : query.docType
      ? await agent.mdoc.findAllByQuery({ docType: query.docType })
      : await agent.mdoc.getAll()
  return [...sdJwt, ...mdoc]
}

/** One credential record of either format (`credential_not_found` when the wallet has none of this id). */
export async function findRecord(agent: Agent, credentialId: string): Promise<WalletRecord> {
  try {
    return await agent.sdJwtVc.getById(credentialId)
  } catch (error) {
    if (!(error instanceof RecordNotFoundError)) throw error
  }
  try {
    return await agent.mdoc.getById(credentialId)
  } catch (error) {
    if (!(error instanceof RecordNotFoundError)) throw error
    throw new HolderWalletError('credential_not_found', `The wallet has no credential '${credentialId}'`, {
      cause: error,
    })
  }
}
