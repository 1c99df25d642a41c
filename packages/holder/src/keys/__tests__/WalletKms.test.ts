import type { AgentContext } from '@credo-ts/core'
import { WalletKms } from '../WalletKms.js'
import { WebCryptoKeyManagementService } from '../WebCryptoKeyManagementService.js'
import { MemoryKeyStore } from './memoryKeyStore.js'

// A backup takes private keys only from a key store that can give them: a store of
// non-extractable keys (the browser's) makes the export fail with a code, never leak or skip keys.

const context = { contextCorrelationId: 'test' } as AgentContext

/** Also keeps the JWK, as node's sealed store does. */
class ExportingStore extends MemoryKeyStore {
  public readonly jwks = new Map<string, JsonWebKey>()
  public override async add(agentContext: AgentContext, keyId: string, privateJwk: JsonWebKey) {
    this.jwks.set(keyId, privateJwk)
    return super.add(agentContext, keyId, privateJwk)
  }
  public async exportPrivateJwk(_: AgentContext, keyId: string) {
    return this.jwks.get(keyId) ?? null
  }
}

describe('WalletKms.exportPrivateJwk', () => {
  it('refuses with backup_unsupported over a store of non-extractable keys', async () => {
    const kms = new WalletKms()
    kms.unlock(new WebCryptoKeyManagementService(new MemoryKeyStore()))
    const { keyId } = await kms.createKey(context, { type: { kty: 'EC', crv: 'P-256' } })
    await expect(kms.exportPrivateJwk(context, keyId)).rejects.toMatchObject({ code: 'backup_unsupported' })
  })

  it('gives the private JWK where the store keeps it, and nothing while locked', async () => {
    const kms = new WalletKms()
    kms.unlock(new WebCryptoKeyManagementService(new ExportingStore()))
    const { keyId, publicJwk } = await kms.createKey(context, { type: { kty: 'EC', crv: 'P-256' } })
    const exported = await kms.exportPrivateJwk(context, keyId)
    expect(exported).toMatchObject({ kty: 'EC', crv: 'P-256', x: (publicJwk as { x: string }).x })
    expect(typeof exported?.d).toBe('string')
    kms.lock()
    await expect(kms.exportPrivateJwk(context, keyId)).rejects.toMatchObject({ code: 'wallet_locked' })
  })
})
