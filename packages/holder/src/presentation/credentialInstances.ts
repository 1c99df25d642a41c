import { type Agent, CredentialMultiInstanceUseMode, type DcqlCredentialsForRequest, MdocRecord } from '@credo-ts/core'
import { instancesOf, type WalletRecord } from '../credentials/WalletCredential.js'
import { HolderWalletError } from '../errors/HolderWalletError.js'

type Entry = DcqlCredentialsForRequest[string][number]

const entriesOf = (credentials: DcqlCredentialsForRequest): Entry[] => Object.values(credentials).flat()

/**
 * Which instance each presentation uses: an unused one of a credential received in a batch, so
 * that two verifiers cannot link the holder by the credential; `credential_instances_used` (before
 * anything is sent) when none is left, unless the app allows reuse (`reuseInstances`: then the
 * last one is presented again). A credential received alone is presented again as it always was.
 */
export function useInstances(credentials: DcqlCredentialsForRequest, reuseInstances: boolean): void {
  const useMode = reuseInstances
    ? CredentialMultiInstanceUseMode.NewOrFirst
    : CredentialMultiInstanceUseMode.NewIfReceivedInBatch
  for (const entry of entriesOf(credentials)) {
    const record = entry.credentialRecord as WalletRecord
    const instances = instancesOf(record)
    const batch = record.multiInstanceState.startsWith('MultiInstance')
    if (!reuseInstances && batch && instances.unused === 0) {
      throw new HolderWalletError(
        'credential_instances_used',
        'Every instance of this credential has been presented: get new ones from the issuer, or allow reuse ({ reuseInstances: true })',
        { details: { credentialId: record.id } },
      )
    }
    entry.useMode = useMode
  }
}

/** Saves what the presentation used up (Credo takes the instance off the record it was given). */
export async function saveUsedInstances(agent: Agent, credentials: DcqlCredentialsForRequest): Promise<void> {
  const records = new Map(entriesOf(credentials).map((entry) => [entry.credentialRecord.id, entry.credentialRecord]))
  for (const record of records.values()) {
    if (record instanceof MdocRecord) await agent.mdoc.update(record)
    else await agent.sdJwtVc.update(record as Exclude<WalletRecord, MdocRecord>)
  }
}
