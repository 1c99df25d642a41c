import { Kms } from '@credo-ts/core'
import { Pkcs11SessionPool } from './Pkcs11SessionPool.js'
import type { Handle, Pkcs11Addon, Pkcs11Api } from './pkcs11Api.js'
import { openPkcs11Library, type Pkcs11Library } from './pkcs11Library.js'

export interface Pkcs11TokenOptions {
  /** Path of the token vendor's PKCS#11 module (`/usr/lib/softhsm/libsofthsm2.so`). */
  module: string
  /** The token's label (CKA_LABEL of its token info, as set when it was initialised). */
  tokenLabel: string
  /** The user PIN (CKU_USER). */
  pin: string
  /** Sessions open at once (default 8). */
  maxSessions?: number
}

/** The slot holding the one initialised token labelled `label`, or an error naming the labels there are. */
function slotOf(api: Pkcs11Api, module: string, label: string): Handle {
  const tokens = api.C_GetSlotList(true).map((slot) => ({ slot, info: api.C_GetTokenInfo(slot) }))
  const initialised = tokens.filter(({ info }) => info.flags & 0x400 /* CKF_TOKEN_INITIALIZED */)
  const matching = initialised.filter(({ info }) => info.label.trim() === label)
  if (matching.length === 1) return (matching[0] as { slot: Handle }).slot
  const labels = initialised.map(({ info }) => `'${info.label.trim()}'`).join(', ') || 'none'
  throw new Kms.KeyManagementError(
    matching.length === 0
      ? `No PKCS#11 token labelled '${label}' in ${module} (initialised tokens: ${labels})`
      : `${matching.length} PKCS#11 tokens are labelled '${label}' in ${module}: give each token its own label`,
  )
}

/**
 * One token of a PKCS#11 module, logged in: the module is loaded once per process, the token found
 * by its label, and the user logged in once (at open, so a wrong PIN stops the start). Operations
 * run on pooled sessions.
 */
export class Pkcs11Token {
  private constructor(
    private readonly library: Pkcs11Library,
    private readonly slot: Handle,
    private readonly sessions: Pkcs11SessionPool,
    public readonly label: string,
  ) {}

  public static async open(options: Pkcs11TokenOptions): Promise<Pkcs11Token> {
    const library = await openPkcs11Library(options.module)
    try {
      const slot = slotOf(library.api, options.module, options.tokenLabel)
      const sessions = new Pkcs11SessionPool({
        api: library.api,
        slot,
        tokenLabel: options.tokenLabel,
        pin: options.pin,
        maxSessions: options.maxSessions,
      })
      await sessions.use(() => undefined)
      return new Pkcs11Token(library, slot, sessions, options.tokenLabel)
    } catch (error) {
      library.release()
      throw error
    }
  }

  public get api(): Pkcs11Api {
    return this.library.api
  }

  public get addon(): Pkcs11Addon {
    return this.library.addon
  }

  /** The token's mechanisms, each with its CKF_ flags. */
  public mechanisms(): Map<number, number> {
    const api = this.library.api
    return new Map(
      api.C_GetMechanismList(this.slot).map((type) => [type, api.C_GetMechanismInfo(this.slot, type).flags]),
    )
  }

  /** The key sizes (bits) a mechanism accepts, as the token states them. */
  public keySizes(mechanism: number): { min: number; max: number } {
    const info = this.library.api.C_GetMechanismInfo(this.slot, mechanism)
    return { min: info.minKeySize, max: info.maxKeySize }
  }

  /** Runs `task` on a session of its own. */
  public use<T>(task: (session: Handle) => T | Promise<T>): Promise<T> {
    return this.sessions.use(task)
  }

  /** Closes the sessions and gives the module back (the last user finalises it). */
  public close(): void {
    this.sessions.close()
    this.library.release()
  }
}
