import { createPublicKey, type KeyObject } from 'node:crypto'
import {
  CertificateChainError,
  certificateSha256,
  checkSigningChain,
  parseCertificateChain,
  type X509Certificate,
} from '@attesto/protocol-kit'
import {
  type AttesterKey,
  ClientAttestationError,
  type DecodedJws,
  publicKeyFromJwk,
  verifySignature,
} from '@attesto/protocol-kit/jose'
import type { AgentContext } from '@credo-ts/core'
import { walletProviders } from '../../issuers/walletProviders.js'

interface TenantProviders {
  anchors: { providerId: string; certificate: X509Certificate; sha256: string }[]
  keys: { providerId: string; kid?: string; key: KeyObject }[]
}

/**
 * The wallet providers each tenant trusts (issuers/walletProviders.ts), read once per tenant and
 * kept for `cacheSeconds` (a change made through this instance's API is seen at once), and the
 * key a client attestation is signed with among them: the leaf of an `x5c` chain that leads to a
 * trusted CA (protocol-kit's chain check: linked, in validity, the leaf not self-signed and allowed
 * to sign), or a trusted JWK (the one its `kid` names, else whichever verifies).
 */
export class WalletProviderKeys {
  private readonly tenants = new Map<string, { until: number; providers: Promise<TenantProviders> }>()

  public constructor(private readonly cacheSeconds: number) {}

  public invalidate(tenantId: string): void {
    this.tenants.delete(tenantId)
  }

  private providers(tenantId: string, tenantContext: AgentContext): Promise<TenantProviders> {
    const cached = this.tenants.get(tenantId)
    if (cached && cached.until > Date.now()) return cached.providers
    const providers = this.read(tenantContext)
    if (this.tenants.size >= 10_000) this.tenants.clear()
    this.tenants.set(tenantId, { until: Date.now() + this.cacheSeconds * 1000, providers })
    providers.catch(() => this.tenants.delete(tenantId))
    return providers
  }

  private async read(tenantContext: AgentContext): Promise<TenantProviders> {
    const found: TenantProviders = { anchors: [], keys: [] }
    for (const provider of await walletProviders.list(tenantContext)) {
      if (provider.certificate && provider.sha256) {
        const [certificate] = parseCertificateChain([provider.certificate])
        if (certificate) found.anchors.push({ providerId: provider.providerId, certificate, sha256: provider.sha256 })
      }
      if (provider.jwk) {
        const kid = typeof provider.jwk.kid === 'string' ? provider.jwk.kid : undefined
        found.keys.push({
          providerId: provider.providerId,
          key: publicKeyFromJwk(provider.jwk),
          ...(kid ? { kid } : {}),
        })
      }
    }
    return found
  }

  /**
   * The `attesterKey` of `verifyClientAttestation` for the tenant's providers; `what` names the
   * attestation in refusals (a client attestation, a key attestation).
   */
  public attesterKey(tenantId: string, tenantContext: AgentContext, what = 'client attestation') {
    return async (attestation: DecodedJws): Promise<AttesterKey> => {
      const providers = await this.providers(tenantId, tenantContext)
      const { x5c, kid } = attestation.header
      if (x5c !== undefined) return chainKey(x5c, providers, what)
      const named = providers.keys.filter((entry) => entry.kid === kid || entry.providerId === kid)
      const candidates = named.length > 0 ? named : providers.keys
      const alg = attestation.header.alg as string
      const signer = candidates.find((entry) =>
        verifySignature(alg, entry.key, attestation.signingInput, attestation.signature),
      )
      if (!signer) {
        throw new ClientAttestationError(
          `The ${what} is not signed by a wallet provider this issuer trusts (no x5c, and no trusted JWK verifies it)`,
        )
      }
      return { key: signer.key, attester: signer.providerId }
    }
  }
}

/**
 * The leaf key of a trusted `x5c` chain. HAIP 1.0 §4.4.1, §4.5.1: the chain excludes the trust
 * anchor (a chain that ends with one of the tenant's anchors is refused) and its leaf is not
 * self-signed (checkSigningChain).
 */
async function chainKey(x5c: unknown, providers: TenantProviders, what: string): Promise<AttesterKey> {
  if (!Array.isArray(x5c) || !x5c.every((entry) => typeof entry === 'string')) {
    throw new ClientAttestationError(`The ${what}'s 'x5c' must be an array of base64 DER certificates`)
  }
  if (providers.anchors.length === 0) {
    throw new ClientAttestationError(
      `This issuer trusts no wallet provider certificate: the ${what}'s x5c chain cannot be trusted`,
    )
  }
  try {
    const chain = parseCertificateChain(x5c as string[])
    const checked = await checkSigningChain(chain, {
      trustAnchors: providers.anchors.map((anchor) => anchor.certificate),
    })
    const provider = providers.anchors.find((anchor) => anchor.sha256 === checked.anchor?.sha256)
    if ((await certificateSha256(chain[chain.length - 1] as X509Certificate)) === checked.anchor?.sha256) {
      throw new ClientAttestationError(
        `The ${what}'s x5c must not include the trust anchor: send the signing certificate and any intermediates only`,
      )
    }
    const leaf = chain[0] as X509Certificate
    const key = createPublicKey({ key: Buffer.from(leaf.publicKey.rawData), format: 'der', type: 'spki' })
    return { key, attester: provider?.providerId ?? (checked.anchor?.subject as string) }
  } catch (error) {
    if (!(error instanceof CertificateChainError)) throw error
    throw new ClientAttestationError(`The ${what}'s x5c chain is not trusted: ${error.message}`, 'invalid', {
      cause: error,
    })
  }
}
