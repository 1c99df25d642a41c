import { type Agent, GenericRecordsApi, Kms, type SdJwtVcRecord } from '@credo-ts/core'
import type {
  OpenId4VciCredentialResponse,
  OpenId4VciDeferredCredentialResponse,
  OpenId4VcModule,
} from '@credo-ts/openid4vc'
import type { WalletCredential } from '../credentials/WalletCredential.js'
import type { CredentialContext } from './receiveCredentials.js'

/** A credential the issuer will give later (OID4VCI deferred issuance), as an app shows it. */
export interface PendingCredential {
  /** The issuer's transaction id. */
  id: string
  /** The credential issuer's URL. */
  issuer: string
  credentialConfigurationId: string
  /** When the wallet will ask again. */
  nextAttemptAt: string
}

interface StoredPending extends PendingCredential {
  accessToken: string
  refreshToken?: string
  authorizationServer?: string
  jwkThumbprintKmsKeyIdMapping?: Record<string, string>
  /**
   * The DPoP key (its public JWK, whose `kid` names it in the wallet's KMS) the access and
   * refresh tokens are bound to, when the issuer took DPoP, and the last server nonce.
   */
  dpop?: { jwk: Record<string, unknown>; alg: string; nonce?: string }
  /** What the card needs, from the offer's preview. */
  context?: CredentialContext
  /** Under the `ask` policy: the holder accepted the offer even from an untrusted issuer. */
  acceptUntrusted?: boolean
}

/** Takes a credential that arrived late: judges its issuer, then stores or refuses it (undefined). */
export type ReceiveDeferred = (
  record: SdJwtVcRecord,
  pending: { issuer: string; context?: CredentialContext; acceptUntrusted: boolean },
) => Promise<WalletCredential | undefined>

const KIND = 'attesto-pending-credential'

/**
 * Deferred credentials of a wallet: remembered (in the wallet's storage, so across restarts)
 * with what is needed to ask for them again, and collected from the issuer's deferred
 * credential endpoint once the issuer is ready, refreshing the access token when it has expired.
 */
export class DeferredCredentials {
  public constructor(
    private readonly agent: Agent<{ openid4vc: OpenId4VcModule }>,
    private readonly receive: ReceiveDeferred,
  ) {}

  private get records() {
    return this.agent.dependencyManager.resolve(GenericRecordsApi)
  }

  public async remember(
    issuer: string,
    deferred: OpenId4VciDeferredCredentialResponse[],
    token: {
      accessToken: string
      refreshToken?: string
      authorizationServer?: string
      dpop?: { jwk: Kms.PublicJwk; alg: string; nonce?: string }
    },
    offer: { contexts: Record<string, CredentialContext>; acceptUntrusted: boolean },
  ): Promise<void> {
    for (const entry of deferred) {
      const pending: StoredPending = {
        id: entry.transactionId,
        issuer,
        credentialConfigurationId: entry.credentialConfigurationId,
        nextAttemptAt: new Date(Date.now() + (entry.interval ?? 5) * 1000).toISOString(),
        accessToken: token.accessToken,
        refreshToken: token.refreshToken,
        authorizationServer: token.authorizationServer,
        jwkThumbprintKmsKeyIdMapping: entry.jwkThumbprintKmsKeyIdMapping,
        ...(token.dpop
          ? { dpop: { jwk: { ...token.dpop.jwk.toJson() }, alg: token.dpop.alg, nonce: token.dpop.nonce } }
          : {}),
        context: offer.contexts[entry.credentialConfigurationId],
        acceptUntrusted: offer.acceptUntrusted,
      }
      await this.records.save({ id: `${KIND}-${pending.id}`, content: { ...pending }, tags: { kind: KIND } })
    }
  }

  public async list(): Promise<PendingCredential[]> {
    const records = await this.records.findAllByQuery({ kind: KIND })
    return records.map((record) => {
      const { id, issuer, credentialConfigurationId, nextAttemptAt } = record.content as unknown as StoredPending
      return { id, issuer, credentialConfigurationId, nextAttemptAt }
    })
  }

  /** Asks the issuer for every pending credential that is due; returns those received and kept. */
  public async collect(): Promise<WalletCredential[]> {
    const holder = this.agent.openid4vc.holder
    const received: WalletCredential[] = []
    for (const record of await this.records.findAllByQuery({ kind: KIND })) {
      const pending = record.content as unknown as StoredPending
      if (Date.parse(pending.nextAttemptAt) > Date.now()) continue
      const issuerMetadata = await holder.resolveIssuerMetadata(pending.issuer)
      const credentialConfiguration =
        issuerMetadata.credentialIssuer.credential_configurations_supported[pending.credentialConfigurationId]
      const dpop = () =>
        pending.dpop
          ? {
              dpop: {
                jwk: Kms.PublicJwk.fromUnknown(pending.dpop.jwk),
                alg: pending.dpop.alg as Kms.KnownJwaSignatureAlgorithm,
                nonce: pending.dpop.nonce,
              },
            }
          : {}
      const ask = () =>
        holder.requestDeferredCredentials({
          ...dpop(),
          issuerMetadata,
          transactionId: pending.id,
          credentialConfigurationId: pending.credentialConfigurationId,
          credentialConfiguration: credentialConfiguration as never,
          accessToken: pending.accessToken,
          jwkThumbprintKmsKeyIdMapping: pending.jwkThumbprintKmsKeyIdMapping,
        })
      let answer: Awaited<ReturnType<typeof ask>>
      try {
        answer = await ask()
      } catch (error) {
        // The access token lives minutes; a deferred credential may take days.
        if (!pending.refreshToken) throw error
        const refreshed = await holder.refreshToken({
          refreshToken: pending.refreshToken,
          ...dpop(),
          issuerMetadata,
          authorizationServer: pending.authorizationServer,
        })
        pending.accessToken = refreshed.accessToken
        pending.refreshToken = refreshed.refreshToken ?? pending.refreshToken
        if (pending.dpop && refreshed.dpop?.nonce) pending.dpop.nonce = refreshed.dpop.nonce
        answer = await ask()
      }
      if (pending.dpop && answer.dpop?.nonce) pending.dpop.nonce = answer.dpop.nonce
      for (const { record: credential } of answer.credentials as OpenId4VciCredentialResponse[]) {
        const kept = await this.receive(credential as SdJwtVcRecord, {
          issuer: pending.issuer,
          context: pending.context,
          acceptUntrusted: pending.acceptUntrusted === true,
        })
        if (kept) received.push(kept)
      }
      const stillDeferred = answer.deferredCredentials[0]
      if (answer.credentials.length > 0 && !stillDeferred) {
        await this.records.delete(record)
      } else {
        pending.nextAttemptAt = new Date(Date.now() + (stillDeferred?.interval ?? 5) * 1000).toISOString()
        record.content = { ...pending }
        await this.records.update(record)
      }
    }
    return received
  }
}
