import { createHmac, type KeyObject } from 'node:crypto'
import { TenantsApi } from '@attesto/agent-runtime'
import { publicKeyFromSelfDescribingDid } from '@attesto/protocol-kit/jose'
import type { AgentContext } from '@credo-ts/core'
import { type IssuerProfile, issuerProfiles } from './issuerProfiles.js'
import { UnknownIssuerError } from './UnknownIssuerError.js'

/** An issuer as the protocol endpoints need it, resolved once and reused. */
export interface ResolvedIssuer {
  tenantId: string
  tenantContext: AgentContext
  profile: IssuerProfile
  /** `<base>/oid4vci/<issuerId>`: the credential issuer identifier and token audience. */
  credentialIssuer: string
  /** The issuer key's public half (tokens and nonces it signed are checked against it). */
  publicKey: KeyObject
  alg: 'ES256' | 'EdDSA'
  /**
   * The keys of this issuer's access tokens and nonces (HS256), when token secrets are configured:
   * the first signs, every one checks (a secret from before a rotation).
   */
  tokenKeys?: Buffer[]
}

/**
 * Issuer id → tenant, profile and public key, kept per instance for `cacheSeconds` (a change made
 * through this instance's API is seen at once; one made elsewhere within `cacheSeconds`).
 * Concurrent misses for one issuer share one read. An unknown issuer is an {@link UnknownIssuerError}.
 */
export class IssuerDirectory {
  private readonly entries = new Map<string, { issuer: Promise<ResolvedIssuer>; until: number }>()

  public constructor(
    private readonly root: AgentContext,
    private readonly credentialIssuerBaseUrl: string,
    private readonly cacheSeconds: number,
    /** Token secrets (the first signs): each issuer's token keys are derived from them and its id. */
    private readonly tokenSecrets: Buffer[] = [],
  ) {}

  public get(issuerId: string): Promise<ResolvedIssuer> {
    const entry = this.entries.get(issuerId)
    if (entry && entry.until > Date.now()) return entry.issuer
    const issuer = this.resolve(issuerId)
    if (this.entries.size >= 10_000) this.entries.clear()
    this.entries.set(issuerId, { issuer, until: Date.now() + this.cacheSeconds * 1000 })
    issuer.catch(() => this.entries.delete(issuerId))
    return issuer
  }

  /**
   * The issuer, read afresh if the cached profile lacks `configurationId` (a configuration made
   * on another instance since this one read the profile).
   */
  public async getWithConfiguration(issuerId: string, configurationId: string): Promise<ResolvedIssuer> {
    const issuer = await this.get(issuerId)
    if (Object.hasOwn(issuer.profile.configurations, configurationId)) return issuer
    this.invalidate(issuerId)
    return this.get(issuerId)
  }

  /** Forgets an issuer whose profile changed. */
  public invalidate(issuerId: string): void {
    this.entries.delete(issuerId)
  }

  private async resolve(issuerId: string): Promise<ResolvedIssuer> {
    const notFound = () => new UnknownIssuerError(issuerId)
    if (!/^[0-9a-f-]{36}$/.test(issuerId)) throw notFound()
    const tenants = this.root.dependencyManager.resolve(TenantsApi)
    const tenant = await tenants.findTenantOfActor(issuerId)
    if (!tenant) throw notFound()
    const tenantContext = await tenants.getTenantAgentContext(tenant.id)
    const profile = await issuerProfiles.find(tenantContext, issuerId)
    if (!profile) throw notFound()
    const publicKey = publicKeyFromSelfDescribingDid(profile.didUrl) as KeyObject
    return {
      tenantId: tenant.id,
      tenantContext,
      profile,
      credentialIssuer: `${this.credentialIssuerBaseUrl}/${issuerId}`,
      publicKey,
      alg: publicKey.asymmetricKeyType === 'ed25519' ? 'EdDSA' : 'ES256',
      ...(this.tokenSecrets.length > 0
        ? {
            tokenKeys: this.tokenSecrets.map((secret) =>
              createHmac('sha256', secret).update(`attesto-token-key:${issuerId}`).digest(),
            ),
          }
        : {}),
    }
  }
}
