import { randomBytes } from 'node:crypto'
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
import { type KeyNamespace, wrappingKeyName } from '../keyNaming.js'
import { type Attribute, CKA, CKK, CKO, type Handle, type Pkcs11Api } from './pkcs11Api.js'
import { isBrokenSession, isStaleHandle } from './pkcs11Errors.js'
import type { TokenRequest } from './TokenKeys.js'
import {
  attribute,
  decryptOnToken,
  encryptOnToken,
  findObjects,
  generateWrappingKey,
  wrappingKeyTemplate,
} from './tokenOperations.js'

export interface Pkcs11KeyWrappingOptions {
  request: TokenRequest
  namespace: KeyNamespace
  /** The CK_GCM_PARAMS layout the token took at start. */
  gcmLayout: number
}

/** A wrapping key on the token: its handle in this process and its CKA_ID (named in what it wraps). */
interface WrappingKey {
  handle: Handle
  id: Buffer
}

const PREFIX = 'pkcs11:v1'
const PART = /^[A-Za-z0-9_-]+$/
const unwrappable = (cause?: unknown) =>
  new KeyUnwrapError('pkcs11 backend: the wrapped key does not unwrap for this tenant and context', {
    cause: cause as Error,
  })

/**
 * Key wrapping on a PKCS#11 token: CKM_AES_GCM under an AES-256 key per role and tenant,
 * generated in the token on first use (sensitive, never extractable, encryption and decryption
 * only) and labelled `<prefix>-<role>-<tenant>-_wrap`; the tenant and the context are the
 * additional data. A wrapped key reads `pkcs11:v1:<key's CKA_ID>:<iv>:<ciphertext and tag>`
 * (base64url): should two instances make a tenant's key at once, both keys stay, new wraps use the
 * one with the lowest CKA_ID, and each wrapped key is unwrapped by the key it names.
 */
export class Pkcs11KeyWrapping implements KeyWrapping {
  private readonly found = new Map<string, WrappingKey>()

  public constructor(private readonly options: Pkcs11KeyWrappingOptions) {}

  public async wrapKey(agentContext: AgentContext, options: WrapKeyOptions): Promise<WrapKeyReturn> {
    assertWrappable('pkcs11', options.key, options.context)
    const label = wrappingKeyName(this.options.namespace, agentContext)
    const iv = randomBytes(12)
    const message = { iv, aad: wrappingAad(agentContext, options.context), data: Buffer.from(options.key) }
    const { id, result } = await this.withKey(label, undefined, (api, session, key) =>
      encryptOnToken(api, session, key, this.options.gcmLayout, message),
    )
    const parts = [id, iv, result as Buffer].map((part) => part.toString('base64url'))
    return { wrappedKey: [PREFIX, ...parts].join(':') }
  }

  public async unwrapKey(agentContext: AgentContext, options: UnwrapKeyOptions): Promise<UnwrapKeyReturn> {
    assertContext('pkcs11', options.context)
    const [prefix, version, id = '', iv = '', sealed = '', ...rest] = options.wrappedKey.split(':')
    if (`${prefix}:${version}` !== PREFIX || rest.length > 0 || ![id, iv, sealed].every((part) => PART.test(part))) {
      throw new KeyUnwrapError('pkcs11 backend: not a key wrapped by a PKCS#11 token')
    }
    const message = {
      iv: Buffer.from(iv, 'base64url'),
      aad: wrappingAad(agentContext, options.context),
      data: Buffer.from(sealed, 'base64url'),
    }
    if (message.iv.length !== 12 || message.data.length <= 16) throw unwrappable()
    const label = wrappingKeyName(this.options.namespace, agentContext)
    const { result } = await this.withKey(label, Buffer.from(id, 'base64url'), (api, session, key) =>
      // A tag that does not authenticate is the token's refusal, not its failure (SoftHSM answers
      // CKR_GENERAL_ERROR, which would otherwise be retried and count against the circuit).
      decryptOnToken(api, session, key, this.options.gcmLayout, message).catch((error: unknown) => {
        if (isBrokenSession(error) || isStaleHandle(error)) throw error
        return null
      }),
    )
    if (!result) throw unwrappable()
    return { key: new Uint8Array(result) }
  }

  /**
   * `task` with the wrapping key of `label` whose CKA_ID is `id`, or (no `id`: to wrap) the one new
   * wraps use, made when there is none. A handle gone stale (the key deleted meanwhile) is looked
   * up once more.
   */
  private async withKey<T>(
    label: string,
    id: Buffer | undefined,
    task: (api: Pkcs11Api, session: Handle, key: Handle) => Promise<T>,
  ): Promise<{ id: Buffer; result: T }> {
    const cacheKey = id ? `${label}\u0000${id.toString('hex')}` : label
    for (let attempt = 1; ; attempt++) {
      const key = this.found.get(cacheKey) ?? (await this.find(label, id)) ?? (id ? null : await this.generate(label))
      if (!key) throw unwrappable(new Error(`no wrapping key ${label} with that CKA_ID on the token`))
      this.found.set(cacheKey, key)
      try {
        const operation = id ? 'unwrap key' : 'wrap key'
        const result = await this.options.request(operation, true, (api, session) => task(api, session, key.handle))
        return { id: key.id, result }
      } catch (error) {
        this.found.delete(cacheKey)
        if (!isStaleHandle(error) || attempt > 1) throw error
      }
    }
  }

  /** The wrapping key of `label` with CKA_ID `id`, or (no `id`) the one with the lowest CKA_ID; null if none. */
  private find(label: string, id?: Buffer): Promise<WrappingKey | null> {
    return this.options.request('find wrapping key', true, (api, session) => {
      const template: Attribute[] = [
        { type: CKA.CLASS, value: CKO.SECRET_KEY },
        { type: CKA.KEY_TYPE, value: CKK.AES },
        { type: CKA.TOKEN, value: true },
        { type: CKA.LABEL, value: label },
        ...(id ? [{ type: CKA.ID, value: id }] : []),
      ]
      const candidates = findObjects(api, session, template, 16).map((handle) => ({
        handle,
        id: attribute(api, session, handle, CKA.ID),
      }))
      return candidates.sort((a, b) => Buffer.compare(a.id, b.id))[0] ?? null
    })
  }

  /** Generates a wrapping key labelled `label` and answers it. */
  private async generate(label: string): Promise<WrappingKey> {
    const id = randomBytes(16)
    const handle = await this.options.request('generate wrapping key', false, (api, session) =>
      generateWrappingKey(api, session, wrappingKeyTemplate(label, id, true)),
    )
    return { handle, id }
  }
}
