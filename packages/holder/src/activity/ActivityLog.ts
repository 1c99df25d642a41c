import { type AgentContext, GenericRecordsApi } from '@credo-ts/core'

/** What the holder did, in the wallet's history. */
export type ActivityType =
  | 'offer_accepted'
  | 'offer_declined'
  | 'credential_refused'
  | 'presentation_shared'
  | 'presentation_declined'
  | 'credential_deleted'
  | 'wallet_exported'
  | 'wallet_imported'

/** One entry of the wallet's history (kept in the wallet's storage; never any claim value). */
export interface ActivityEntry {
  id: string
  type: ActivityType
  at: string
  /** The issuer's credential issuer URL, or the verifier's client id. */
  party: string
  /** The party's name as it gave it, if any. */
  partyName?: string
  /** Credentials received or presented. */
  credentialIds?: string[]
  /** The claims presented, per credential query id (paths joined with `.`; names only). */
  sharedClaims?: Record<string, string[]>
  /** Why a credential was refused, or what the verifier answered. */
  detail?: string
  /** For offers: a digest of the offer, to recognise it again (never the code itself). */
  offerDigest?: string
}

const KIND = 'attesto-activity'

/** The wallet's history: what was received, shared, declined or refused, and from or to whom. */
export class ActivityLog {
  public constructor(private readonly agentContext: AgentContext) {}

  private get records() {
    return this.agentContext.dependencyManager.resolve(GenericRecordsApi)
  }

  public async record(entry: Omit<ActivityEntry, 'id' | 'at'>): Promise<ActivityEntry> {
    const saved: ActivityEntry = { id: globalThis.crypto.randomUUID(), at: new Date().toISOString(), ...entry }
    const tags: { kind: string; type: string; offerDigest?: string } = { kind: KIND, type: entry.type }
    if (entry.offerDigest) tags.offerDigest = entry.offerDigest
    await this.records.save({ id: `${KIND}-${saved.id}`, content: { ...saved }, tags })
    return saved
  }

  /** The history, newest first. */
  public async list(): Promise<ActivityEntry[]> {
    const records = await this.records.findAllByQuery({ kind: KIND })
    return records.map((record) => record.content as unknown as ActivityEntry).sort((a, b) => b.at.localeCompare(a.at))
  }

  /** Whether this wallet accepted the offer of this digest before. */
  public async acceptedOffer(offerDigest: string): Promise<boolean> {
    const found = await this.records.findAllByQuery({ kind: KIND, type: 'offer_accepted', offerDigest })
    return found.length > 0
  }
}
