import { ProtocolError } from '@attesto/agent-runtime'
import type { CredentialConfiguration } from '../issuance/credentialConfiguration.js'
import type { ResolvedIssuer } from '../protocol/IssuerDirectory.js'
import type { CredentialStatusStore, CredentialStatusValue, StatusChange } from './CredentialStatusStore.js'
import type { StatusListPublisher } from './StatusListPublisher.js'
import type { StatusLists } from './StatusLists.js'

/** The `status` claim of an SD-JWT VC that has a status list entry. */
export interface StatusClaim {
  status_list: { idx: number; uri: string }
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
   * The status claim of the credential an offer is about to yield, when its configuration is
   * revocable: one allocation (one UPDATE) and its row (one INSERT). A retried request on the
   * same offer gets the entry made the first time.
   */
  public async reserve(
    issuer: ResolvedIssuer,
    configuration: CredentialConfiguration,
    offerId: string,
  ): Promise<StatusClaim | undefined> {
    if (configuration.revocable !== true) return undefined
    const bits = configuration.suspendable === false ? 1 : 2
    const { listId, idx } = await this.lists.allocate(issuer.tenantId, issuer.profile.issuerId, bits)
    const created = await this.statuses.create(issuer.tenantId, offerId, {
      state: 'valid',
      issuerId: issuer.profile.issuerId,
      configurationId: configuration.id,
      listId,
      idx,
      bits,
      issuedAt: new Date().toISOString(),
    })
    if (created) return { status_list: { idx, uri: this.publisher.uri(issuer.profile.issuerId, listId) } }
    // A retried request (the first failed after its entry was made): the offer keeps its entry;
    // the session's conditional update still lets only one credential out.
    const existing = await this.statuses.find(issuer.tenantId, offerId)
    if (!existing) throw new ProtocolError(400, 'credential_request_denied', 'The offer has no status entry')
    return { status_list: { idx: existing.idx, uri: this.publisher.uri(existing.issuerId, existing.listId) } }
  }

  /** Changes a credential's status and reports the change (webhook) when there was one. */
  public async change(tenantId: string, offerId: string, to: CredentialStatusValue): Promise<StatusChange> {
    const change = await this.statuses.change(tenantId, offerId, to)
    if (change.outcome === 'changed') this.onChanged?.(tenantId, offerId, change)
    return change
  }
}
