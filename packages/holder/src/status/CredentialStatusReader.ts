import { createPublicKey, type KeyObject, X509Certificate } from 'node:crypto'
import {
  RedisLruCache,
  StatusListInvalidError,
  StatusListTokenResolver,
  StatusListUnavailableError,
} from '@attesto/did-cache'
import { statusOfValue } from '@attesto/protocol-kit'
import { type Agent, getPublicJwkFromVerificationMethod, type SdJwtVcRecord } from '@credo-ts/core'

/** What the wallet knows of a credential's status. */
export interface CredentialStatusReport {
  /**
   * `valid`, `revoked` or `suspended` from the issuer's status list; `none` when the credential
   * has no status reference; `unavailable` when the list cannot be fetched (or is not valid).
   */
  status: 'valid' | 'revoked' | 'suspended' | 'none' | 'unavailable'
  /** Why the status is unavailable (never a claim value). */
  detail?: string
}

/**
 * Reads credentials' status lists for the wallet: fetched under the address guard, cached in
 * process per the token's `ttl`, one fetch for concurrent reads of one list, and each token's
 * signature checked against the key that signed the credential.
 */
export class CredentialStatusReader {
  private readonly cache = new RedisLruCache({ lruTtlSeconds: 3_600 })
  private readonly resolver: StatusListTokenResolver

  public constructor(
    private readonly agent: Agent,
    allowInsecureHttp: boolean,
  ) {
    this.resolver = new StatusListTokenResolver({
      cache: this.cache,
      allowInsecureHttp,
      allowLoopback: allowInsecureHttp,
      allowPrivateNetwork: allowInsecureHttp,
    })
  }

  public async read(record: SdJwtVcRecord): Promise<CredentialStatusReport> {
    const { header, payload } = record.firstCredential
    const reference = (payload.status as { status_list?: { idx?: unknown; uri?: unknown } } | undefined)?.status_list
    if (!reference) return { status: 'none' }
    if (typeof reference.idx !== 'number' || typeof reference.uri !== 'string') {
      return { status: 'unavailable', detail: 'The status reference is malformed' }
    }
    try {
      const x5c = header.x5c as string[] | undefined
      const key = x5c?.[0]
        ? new X509Certificate(Buffer.from(x5c[0], 'base64')).publicKey
        : await this.issuerKey(String(payload.iss), header.kid as string | undefined)
      const value = await this.resolver.status(this.agent.context, { idx: reference.idx, uri: reference.uri }, key)
      const status = statusOfValue(value)
      return status ? { status } : { status: 'unavailable', detail: `Unknown status value ${value}` }
    } catch (error) {
      if (error instanceof StatusListInvalidError || error instanceof StatusListUnavailableError) {
        return { status: 'unavailable', detail: error.message }
      }
      throw error
    }
  }

  public close(): Promise<void> {
    return this.cache.close()
  }

  private async issuerKey(iss: string, kid: string | undefined): Promise<KeyObject> {
    const keyUrl = kid?.startsWith('#') ? `${iss}${kid}` : (kid ?? iss)
    const document = await this.agent.dids.resolveDidDocument(keyUrl.split('#')[0] as string)
    const method = document.dereferenceKey(keyUrl.includes('#') ? keyUrl : (document.assertionMethod?.[0] as string), [
      'assertionMethod',
    ])
    return createPublicKey({ key: getPublicJwkFromVerificationMethod(method).toJson() as never, format: 'jwk' })
  }
}
