import { type AgentContext, Kms } from '@credo-ts/core'
import {
  assertContext,
  assertWrappable,
  KeyUnwrapError,
  type KeyWrapping,
  type UnwrapKeyOptions,
  type UnwrapKeyReturn,
  type WrapKeyOptions,
  type WrapKeyReturn,
  wrappingAad,
} from '../KeyWrapping.js'
import { type KeyNamespace, wrappingKeyName } from '../keyNaming.js'
import { vaultStatus } from './vaultErrors.js'

/** A transit call through the backend's client (retries, breaker, login): POST `path` with `body`. */
export type VaultWrite = (
  operation: string,
  idempotent: boolean,
  path: string,
  body: Record<string, unknown>,
) => Promise<{ data?: unknown }>

const WRAPPING_KEY_TYPE = 'aes256-gcm96'

/** Vault's answer to a key that does not exist (encrypt without upsert, decrypt). */
function isMissingKey(error: unknown): boolean {
  return vaultStatus(error) === 400 && /not found/i.test(String((error as Error)?.message))
}

/**
 * Key wrapping on Vault transit: `encrypt` and `decrypt` under one `aes256-gcm96` key per role and
 * tenant (`<prefix>-<role>-<tenant>-_wrap`, non-exportable), with the tenant and the context as
 * `associated_data`. The key is made on first use: by `encrypt`'s upsert when the token may create
 * there, else explicitly through `keys/:name`. A wrapped key is Vault's ciphertext as it answers
 * it (`vault:v<version>:…`), so it still unwraps after the key is rotated.
 */
export class VaultTransitKeyWrapping implements KeyWrapping {
  public constructor(
    private readonly write: VaultWrite,
    private readonly mount: string,
    private readonly namespace: KeyNamespace,
  ) {}

  public async wrapKey(agentContext: AgentContext, options: WrapKeyOptions): Promise<WrapKeyReturn> {
    assertWrappable('vault', options.key, options.context)
    const name = wrappingKeyName(this.namespace, agentContext)
    const body = {
      plaintext: Buffer.from(options.key).toString('base64'),
      associated_data: wrappingAad(agentContext, options.context).toString('base64'),
      type: WRAPPING_KEY_TYPE,
    }
    const encrypt = () => this.write('wrap key', true, `${this.mount}/encrypt/${name}`, body)
    let response: { data?: unknown }
    try {
      response = await encrypt()
    } catch (error) {
      if (!isMissingKey(error)) throw error
      await this.write('create wrapping key', false, `${this.mount}/keys/${name}`, {
        type: WRAPPING_KEY_TYPE,
        exportable: false,
      })
      response = await encrypt()
    }
    const ciphertext = (response.data as { ciphertext?: unknown } | undefined)?.ciphertext
    if (typeof ciphertext !== 'string' || !ciphertext.startsWith('vault:')) {
      throw new Kms.KeyManagementError('Vault answered no ciphertext when wrapping a key')
    }
    return { wrappedKey: ciphertext }
  }

  public async unwrapKey(agentContext: AgentContext, options: UnwrapKeyOptions): Promise<UnwrapKeyReturn> {
    assertContext('vault', options.context)
    if (!/^vault:v[0-9]+:[A-Za-z0-9+/=]+$/.test(options.wrappedKey)) {
      throw new KeyUnwrapError('vault backend: not a key wrapped by Vault transit')
    }
    const name = wrappingKeyName(this.namespace, agentContext)
    let response: { data?: unknown }
    try {
      response = await this.write('unwrap key', true, `${this.mount}/decrypt/${name}`, {
        ciphertext: options.wrappedKey,
        associated_data: wrappingAad(agentContext, options.context).toString('base64'),
      })
    } catch (error) {
      // 400: the ciphertext does not authenticate (another tenant, context or key), or no such key.
      if (vaultStatus(error) !== 400) throw error
      throw new KeyUnwrapError('vault backend: the wrapped key does not unwrap for this tenant and context', {
        cause: error as Error,
      })
    }
    const plaintext = (response.data as { plaintext?: unknown } | undefined)?.plaintext
    if (typeof plaintext !== 'string') throw new Kms.KeyManagementError('Vault answered no plaintext when unwrapping')
    return { key: new Uint8Array(Buffer.from(plaintext, 'base64')) }
  }
}
