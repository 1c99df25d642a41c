import type { RedisTarget } from '@attesto/did-cache'
import type { Logger } from '@credo-ts/core'
import { WalletProviderKeys } from './clientAttestation/WalletProviderKeys.js'
import { MemoryProofReplayStore } from './freshness/MemoryProofReplayStore.js'
import type { ProofReplayStore } from './freshness/ProofReplayStore.js'
import { RedisProofReplayStore } from './freshness/RedisProofReplayStore.js'
import { ServerNonces } from './freshness/ServerNonces.js'
import type { IssuerProtocolConfig } from './protocolConfig.js'

/**
 * What the checks of a sender's proofs (DPoP proofs, wallet attestations) share, one per
 * instance: the replay store, the server nonces, the tenants' trusted wallet providers.
 */
export interface SenderProofs {
  replay: ProofReplayStore
  nonces: ServerNonces
  walletProviders: WalletProviderKeys
  /** How far a DPoP proof's or attestation PoP's `iat` may lie from now, either way. */
  proofMaxAgeSeconds: number
}

/** How long a proof's `jti` is remembered: as long as its `iat` could still be accepted. */
export const replayTtlSeconds = (proofs: SenderProofs) => 2 * proofs.proofMaxAgeSeconds + 1

/** The public URL of the OID4VCI endpoint a request reached (`<credential issuer>/<endpoint>`), as the wallet called it. */
export function endpointUrl(credentialIssuer: string, path: string): string {
  return `${credentialIssuer}/${path.split('/').pop() ?? ''}`
}

export interface CreateSenderProofsOptions {
  /** With Redis (one server or a cluster), replays are caught across every instance; without, within this process only. */
  redis?: RedisTarget | undefined
  /** Key prefix in Redis (the runtime's `QUEUE_PREFIX`). */
  prefix: string
  /** Told (warn) when Redis stops answering the replay check. */
  logger?: Pick<Logger, 'warn'>
}

/** The instance's sender proof checks: the replay store in Redis when configured, else in this process. */
export function createSenderProofs(config: IssuerProtocolConfig, options: CreateSenderProofsOptions): SenderProofs {
  return {
    replay: options.redis
      ? new RedisProofReplayStore(options.redis, options.prefix, undefined, (error) =>
          options.logger?.warn(
            'Redis does not answer the proof replay check: replays are caught per instance until it does',
            {
              error,
            },
          ),
        )
      : new MemoryProofReplayStore(),
    nonces: new ServerNonces(config.serverNonceWindowSeconds),
    walletProviders: new WalletProviderKeys(config.issuerMetadataCacheSeconds),
    proofMaxAgeSeconds: config.senderProofMaxAgeSeconds,
  }
}
