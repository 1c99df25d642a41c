import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import type { AgentContext } from '@credo-ts/core'
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
import { derivedSecret, type MasterKey } from './masterKey.js'

const PREFIX = 'local:v1'
const PART = /^[A-Za-z0-9_-]+$/

/**
 * Key wrapping of the local KMS: AES-256-GCM under a key derived from the master key (HKDF), the
 * tenant and the context as additional authenticated data. A wrapped key reads
 * `local:v1:<masterKeyId>:<iv>:<ciphertext>:<tag>` (base64url), so one wrapped under a previous
 * master key still unwraps while that key is configured.
 */
export class MasterKeyWrapping implements KeyWrapping {
  private readonly keys: Map<string, Buffer>
  private readonly currentId: string

  public constructor(masterKeys: MasterKey[]) {
    const [current] = masterKeys
    if (!current) throw new Error('MasterKeyWrapping needs a master key')
    this.currentId = current.id
    this.keys = new Map(masterKeys.map((masterKey) => [masterKey.id, derivedSecret(masterKey, 'attesto-key-wrapping')]))
  }

  public async wrapKey(agentContext: AgentContext, options: WrapKeyOptions): Promise<WrapKeyReturn> {
    assertWrappable('local', options.key, options.context)
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId) as Buffer, iv)
    cipher.setAAD(wrappingAad(agentContext, options.context))
    const ciphertext = Buffer.concat([cipher.update(options.key), cipher.final()])
    const parts = [iv, ciphertext, cipher.getAuthTag()].map((part) => part.toString('base64url'))
    return { wrappedKey: [PREFIX, this.currentId, ...parts].join(':') }
  }

  public async unwrapKey(agentContext: AgentContext, options: UnwrapKeyOptions): Promise<UnwrapKeyReturn> {
    assertContext('local', options.context)
    const [prefix, version, masterKeyId = '', iv, ciphertext, tag, ...rest] = options.wrappedKey.split(':')
    if (
      `${prefix}:${version}` !== PREFIX ||
      rest.length > 0 ||
      ![iv, ciphertext, tag].every((p) => PART.test(p ?? ''))
    ) {
      throw new KeyUnwrapError('local backend: not a key wrapped by the local KMS')
    }
    const key = this.keys.get(masterKeyId)
    if (!key)
      throw new KeyUnwrapError(
        `local backend: the key was wrapped under master key ${masterKeyId}, which is not configured`,
      )
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv as string, 'base64url'), {
        authTagLength: 16,
      })
      decipher.setAAD(wrappingAad(agentContext, options.context))
      decipher.setAuthTag(Buffer.from(tag as string, 'base64url'))
      const plaintext = Buffer.concat([
        decipher.update(Buffer.from(ciphertext as string, 'base64url')),
        decipher.final(),
      ])
      return { key: new Uint8Array(plaintext) }
    } catch (error) {
      throw new KeyUnwrapError('local backend: the wrapped key does not unwrap for this tenant and context', {
        cause: error as Error,
      })
    }
  }
}
