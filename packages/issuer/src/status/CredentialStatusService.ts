import type { CredentialStatusValue } from '@attesto/protocol-kit'
import type { CredentialConfiguration } from '../issuers/credentialConfiguration.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import type { CredentialStatusRow, CredentialStatusStore, StatusChange } from './CredentialStatusStore.js'
import type { StatusListPublisher } from './StatusListPublisher.js'
import type { StatusLists } from './StatusLists.js'

/** The `status` claim of an SD-JWT VC that has a status list entry. */
export interface StatusClaim {
  status_list: { idx: number; uri: string }
}

/**
 * The status entries of an issuance before it happens: one claim per credential (a batch has one
 * index per credential, all in one list), and the one row to record with the issuance.
 */
export interface ReservedStatus {
  claims: StatusClaim[]
  row: CredentialStatusRow
}

/** Called once per status change (the `credential.status_changed` event). */
export type StatusChanged = (
  tenantId: string,
  offerId: string,
  change: Extract<StatusChange, { outcome: 'changed' }>,
) => void

/** Credential statuses: the entry of a credential being issued, and changes to it. */
export class CredentialStatusService {
  public constructor(
    public readonly lists: StatusLists,
    public readonly statuses: CredentialStatusStore,
    public readonly publisher: StatusListPublisher,
    private readonly onChanged?: StatusChanged,
  ) {}

  /**
   * The status entries of the `count` credentials an offer is about to yield, when its
   * configuration is revocable: fresh indices in one list (from the instance's block, or one
   * statement for a batch, {@link StatusLists}), a claim per credential, and the one row that
   * `IssuanceSessionStore.markIssued` writes with the issuance. The offer's status is the status
   * of every credential of its batch: they are copies of one credential for unlinkability.
   */
  public async reserve(
    issuer: ResolvedIssuer,
    configuration: CredentialConfiguration,
    count = 1,
  ): Promise<ReservedStatus | undefined> {
    if (configuration.revocable !== true) return undefined
    const bits = configuration.suspendable === false ? 1 : 2
    const { listId, indices, opened } = await this.lists.allocateMany(
      issuer.tenantId,
      issuer.profile.issuerId,
      bits,
      count,
    )
    // A new list is signed now, by the instance that made it, so that the wallet's first fetch of
    // it (right after this credential) is served a stored token instead of waiting for a signature.
    // Should this fail, the first fetch signs it (StatusListPublisher.current), as before.
    if (opened) await this.publisher.publishNow(issuer, listId).catch(() => undefined)
    const row: CredentialStatusRow = {
      state: 'valid',
      issuerId: issuer.profile.issuerId,
      configurationId: configuration.id,
      listId,
      idx: indices[0] as number,
      ...(count > 1 ? { indices } : {}),
      bits,
      issuedAt: new Date().toISOString(),
    }
    const uri = this.publisher.uri(issuer.profile.issuerId, listId)
    return { claims: indices.map((idx) => ({ status_list: { idx, uri } })), row }
  }

  /** Changes a credential's status and reports the change (webhook) when there was one. */
  public async change(tenantId: string, offerId: string, to: CredentialStatusValue): Promise<StatusChange> {
    const change = await this.statuses.change(tenantId, offerId, to)
    if (change.outcome === 'changed') this.onChanged?.(tenantId, offerId, change)
    return change
  }
}
