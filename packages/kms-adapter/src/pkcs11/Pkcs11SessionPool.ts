import { Kms } from '@credo-ts/core'
import { CKF, CKU_USER, type Handle, type Pkcs11Api } from './pkcs11Api.js'
import { isBrokenSession, pkcs11ErrorName } from './pkcs11Errors.js'

export interface Pkcs11SessionPoolOptions {
  api: Pkcs11Api
  slot: Handle
  /** For errors: the token's label. */
  tokenLabel: string
  pin: string
  /** Sessions open at once (default 8); more callers wait for one. */
  maxSessions?: number
}

interface Waiter {
  resolve(session: Handle): void
  reject(error: unknown): void
}

/**
 * Read-write sessions on one token, opened on demand up to `maxSessions` and reused: a PKCS#11
 * session runs one operation at a time, so each call has one to itself. Login is per application
 * and token, not per session: it happens once, with the first session, and again only if the
 * token says the login was lost (a network HSM that restarted). A session the token closed is
 * dropped and replaced.
 */
export class Pkcs11SessionPool {
  private readonly idle: Handle[] = []
  private readonly waiting: Waiter[] = []
  private readonly maxSessions: number
  private open = 0
  private loggedIn = false
  private closed = false

  public constructor(private readonly options: Pkcs11SessionPoolOptions) {
    this.maxSessions = options.maxSessions ?? 8
  }

  /** Runs `task` with a session of its own; logs in again once if the token lost the login. */
  public async use<T>(task: (session: Handle) => T | Promise<T>): Promise<T> {
    const session = await this.acquire()
    let broken = false
    try {
      try {
        return await task(session)
      } catch (error) {
        if (pkcs11ErrorName(error) !== 'CKR_USER_NOT_LOGGED_IN') throw error
        this.loggedIn = false
        this.login(session)
        return await task(session)
      }
    } catch (error) {
      broken = isBrokenSession(error)
      // A token that closed sessions may have ended the login with them (with every session of the
      // application): log in again with the next one, or private keys would look absent.
      if (broken) this.loggedIn = false
      throw error
    } finally {
      if (broken) this.discard(session)
      else this.release(session)
    }
  }

  /** Closes the idle sessions now and the others as they come back. */
  public close(): void {
    this.closed = true
    for (const waiter of this.waiting.splice(0)) {
      waiter.reject(new Kms.KeyManagementError(`The PKCS#11 token ${this.options.tokenLabel} was closed`))
    }
    for (const session of this.idle.splice(0)) this.discard(session)
  }

  private async acquire(): Promise<Handle> {
    if (this.closed) throw new Kms.KeyManagementError(`The PKCS#11 token ${this.options.tokenLabel} was closed`)
    const idle = this.idle.pop()
    if (idle) return idle
    if (this.open < this.maxSessions) return this.openSession()
    return new Promise<Handle>((resolve, reject) => this.waiting.push({ resolve, reject }))
  }

  private openSession(): Handle {
    const session = this.options.api.C_OpenSession(this.options.slot, CKF.SERIAL_SESSION | CKF.RW_SESSION)
    this.open += 1
    try {
      if (!this.loggedIn) this.login(session)
      return session
    } catch (error) {
      this.discard(session)
      throw error
    }
  }

  private login(session: Handle): void {
    try {
      this.options.api.C_Login(session, CKU_USER, this.options.pin)
    } catch (error) {
      const name = pkcs11ErrorName(error)
      if (name !== 'CKR_USER_ALREADY_LOGGED_IN') {
        // The PIN never appears in the message, nor in the cause (pkcs11js names only the return value).
        throw new Kms.KeyManagementError(
          `Login to the PKCS#11 token ${this.options.tokenLabel} failed: ${name ?? 'error'}`,
          { cause: error as Error },
        )
      }
    }
    this.loggedIn = true
  }

  private release(session: Handle): void {
    if (this.closed) {
      this.discard(session)
      return
    }
    const waiter = this.waiting.shift()
    if (waiter) waiter.resolve(session)
    else this.idle.push(session)
  }

  private discard(session: Handle): void {
    this.open -= 1
    try {
      this.options.api.C_CloseSession(session)
    } catch {
      // Already closed by the token.
    }
    const waiter = this.waiting.shift()
    if (!waiter) return
    try {
      waiter.resolve(this.openSession())
    } catch (error) {
      waiter.reject(error)
    }
  }
}
