import type { ResolvedIssuer } from '../../issuers/IssuerDirectory.js'
import { checkIssuerToken, signIssuerToken } from '../issuerTokens.js'

/** What a server nonce is for: a DPoP nonce (RFC 9449 §8), an attestation PoP challenge (draft -07 §8). */
export type ServerNoncePurpose = 'dpop' | 'attestation-challenge'

/**
 * Server nonces that any instance can check with no shared write: a nonce names its purpose and a
 * time window (`windowSeconds` long) and is a token of the issuer (HS256 under its token key, or
 * signed by its KMS key; issuerTokens.ts). It is live in its own window and the next, so a nonce is
 * good for between one and two windows. Each instance makes one nonce per issuer, purpose and
 * window and hands the same one out until the window turns: a request costs no signature.
 */
export class ServerNonces {
  private readonly current = new Map<string, { window: number; nonce: Promise<string> }>()

  public constructor(private readonly windowSeconds = 300) {}

  private window(now = Date.now()): number {
    return Math.floor(now / 1000 / this.windowSeconds)
  }

  /** The nonce this instance hands out now for the issuer and purpose. */
  public nonce(issuer: ResolvedIssuer, purpose: ServerNoncePurpose): Promise<string> {
    const window = this.window()
    const key = `${issuer.profile.issuerId}:${purpose}`
    const cached = this.current.get(key)
    if (cached && cached.window === window) return cached.nonce
    const nonce = signIssuerToken(issuer, 'attesto-server-nonce+jwt', {
      p: purpose,
      w: window,
      exp: (window + 2) * this.windowSeconds,
    })
    if (this.current.size >= 20_000) this.current.clear()
    this.current.set(key, { window, nonce })
    nonce.catch(() => this.current.delete(key))
    return nonce
  }

  /** Whether `nonce` is a live nonce of this issuer for `purpose`, made by any instance. */
  public isLive(issuer: ResolvedIssuer, purpose: ServerNoncePurpose, nonce: unknown): boolean {
    if (typeof nonce !== 'string' || nonce.length > 2048) return false
    const payload = checkIssuerToken(issuer, 'attesto-server-nonce+jwt', nonce)
    if (!payload || payload.p !== purpose || typeof payload.w !== 'number') return false
    const window = this.window()
    return payload.w === window || payload.w === window - 1
  }
}
