/**
 * Remembers the proofs (DPoP proofs, attestation PoPs) an issuer accepted, by key, until they
 * could no longer be accepted anyway: a second use of one is a replay.
 */
export interface ProofReplayStore {
  /**
   * True the first time `key` is offered within `ttlSeconds`, false on every later offer (on any
   * instance sharing the store). Throws a {@link ReplayStoreUnavailableError} (503) when it cannot
   * answer without forgetting a live proof.
   */
  firstUse(key: string, ttlSeconds: number): Promise<boolean>
  close(): void
}

/** The replay store cannot answer; the protocol endpoints answer it `503 temporarily_unavailable`. */
export class ReplayStoreUnavailableError extends Error {
  public readonly status = 503
}
