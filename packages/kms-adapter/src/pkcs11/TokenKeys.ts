import { randomBytes } from 'node:crypto'
import { Kms } from '@credo-ts/core'
import { type Attribute, CKA, CKO, type Handle, type Pkcs11Api } from './pkcs11Api.js'
import { curveOfParams, keyPairTemplates, type Pkcs11Curve, publicJwkFromEcPoint } from './pkcs11Curves.js'
import { attribute, findObjects, generateKeyPair } from './tokenOperations.js'

/** A key pair on the token, as found by its label. */
export interface TokenKey {
  /** The private key's handle in this process. */
  privateKey: Handle
  curve: Pkcs11Curve
  /** Without `kid`. */
  publicJwk: Kms.KmsJwkPublic
  readAt: number
}

/** Runs `task` on a session of the token, with the backend's retries, deadline and circuit breaker. */
export type TokenRequest = <T>(
  operation: string,
  idempotent: boolean,
  task: (api: Pkcs11Api, session: Handle) => T | Promise<T>,
) => Promise<T>

export interface TokenKeysOptions {
  request: TokenRequest
  /** How long a found key is trusted before it is looked up again (another instance may delete it). */
  keyTtlMillis: number
  /** Whether new EC keys may agree (CKA_DERIVE): the token offers ECDH. */
  agreement: boolean
}

/**
 * The token's key pairs by label (the backend's name for a role, tenant and key id): found with
 * C_FindObjects, cached with their handles, generated and destroyed. Two objects share a label:
 * the private key and its public key, linked by a random CKA_ID. Should two instances create the
 * same label at once, the pair with the lowest CKA_ID is the key on every instance and the other
 * creator destroys its own.
 */
export class TokenKeys {
  private readonly found = new Map<string, TokenKey>()

  public constructor(private readonly options: TokenKeysOptions) {}

  /** The key labelled `label` (from the cache while fresh), or null. */
  public async find(label: string): Promise<TokenKey | null> {
    const cached = this.found.get(label)
    if (cached && Date.now() - cached.readAt < this.options.keyTtlMillis) return cached
    const found = await this.options.request('find key', true, (api, session) => this.lookUp(api, session, label))
    if (found) this.found.set(label, found.key)
    else this.found.delete(label)
    return found?.key ?? null
  }

  /** Drops the cached key (its handle went stale). */
  public forget(label: string): void {
    this.found.delete(label)
  }

  /** Generates the pair labelled `label`; KeyManagementKeyExistsError when another creator won. */
  public async generate(label: string, curve: Pkcs11Curve, keyId: string): Promise<void> {
    const id = randomBytes(16)
    const templates = keyPairTemplates(curve, label, id, { token: true, agreement: this.options.agreement })
    const mine = await this.options.request('generate key', false, (api, session) =>
      generateKeyPair(api, session, curve, templates),
    )
    this.found.delete(label)
    const winner = await this.options.request('find key', true, (api, session) => this.lookUp(api, session, label))
    if (winner?.id.equals(id)) return
    await this.options.request('destroy key', false, (api, session) => {
      api.C_DestroyObject(session, mine.privateKey)
      api.C_DestroyObject(session, mine.publicKey)
    })
    throw new Kms.KeyManagementKeyExistsError(keyId, 'pkcs11')
  }

  /** Destroys every object labelled `label`; whether there was a private key among them. */
  public async destroy(label: string): Promise<boolean> {
    this.found.delete(label)
    return this.options.request('destroy key', false, (api, session) => {
      const labelled: Attribute[] = [
        { type: CKA.TOKEN, value: true },
        { type: CKA.LABEL, value: label },
      ]
      const privateKeys = findObjects(api, session, [{ type: CKA.CLASS, value: CKO.PRIVATE_KEY }, ...labelled], 16)
      for (const object of findObjects(api, session, labelled, 32)) api.C_DestroyObject(session, object)
      return privateKeys.length > 0
    })
  }

  private lookUp(api: Pkcs11Api, session: Handle, label: string): { key: TokenKey; id: Buffer } | null {
    const labelled = (objectClass: number, more: Attribute[] = []) =>
      findObjects(
        api,
        session,
        [
          { type: CKA.CLASS, value: objectClass },
          { type: CKA.TOKEN, value: true },
          { type: CKA.LABEL, value: label },
          ...more,
        ],
        8,
      )
    const candidates = labelled(CKO.PRIVATE_KEY).map((handle) => ({
      handle,
      id: attribute(api, session, handle, CKA.ID),
    }))
    const [chosen] = candidates.sort((a, b) => Buffer.compare(a.id, b.id))
    if (!chosen) return null
    const [publicKey] = labelled(CKO.PUBLIC_KEY, [{ type: CKA.ID, value: chosen.id }])
    if (!publicKey) {
      throw new Kms.KeyManagementError(
        `Token key ${label} has no public key object with its CKA_ID: import keys with their public key (docs/KMS.md)`,
      )
    }
    const curve = curveOfParams(attribute(api, session, publicKey, CKA.EC_PARAMS))
    if (!curve) throw new Kms.KeyManagementError(`Token key ${label} is on a curve the pkcs11 backend does not offer`)
    const key = {
      privateKey: chosen.handle,
      curve,
      publicJwk: publicJwkFromEcPoint(curve, attribute(api, session, publicKey, CKA.EC_POINT)),
      readAt: Date.now(),
    }
    return { key, id: chosen.id }
  }
}
