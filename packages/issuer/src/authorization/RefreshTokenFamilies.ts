import { randomBytes, randomUUID } from 'node:crypto'
import { contextCorrelationIdOf } from '@attesto/agent-runtime'
import { type Database, SessionStore } from '@attesto/storage-service'
import { hashSecret } from '../issuance/IssuanceSessionStore.js'

/**
 * A family of rotating refresh tokens (OAuth 2.0 Security BCP, RFC 9700 §4.14.2): one per
 * authorization code. Only the newest token's hash is current; the hashes of rotated ones are
 * kept so that presenting one again is recognised as reuse, which revokes the whole family.
 */
export interface RefreshTokenFamily {
  state: 'active' | 'revoked'
  issuerId: string
  offerId: string
  clientId: string
  configurationId: string
  /** The DPoP key the family's tokens are bound to (RFC 9449 §5: a public client's refresh tokens are). */
  jkt?: string
  /** The attested wallet instance's key, when the client authenticated with a wallet attestation. */
  instanceJkt?: string
  current: string
  rotated: string[]
  createdAt: string
  revokedAt?: string
}

export const REFRESH_TOKEN_FAMILY_TYPE = 'RefreshTokenFamily'

/** The refresh tokens of the authorization code flow: `rt.<family id>.<secret>` (not JWTs, unlike deferred offers'). */
const TOKEN = /^rt\.([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/

/** Rotated tokens remembered per family; a family refreshed more often than this starts over. */
const MAX_ROTATED = 200

export const isRotatingRefreshToken = (token: string) => token.startsWith('rt.')

const newSecret = () => randomBytes(32).toString('base64url')

export type Rotation =
  | { outcome: 'rotated'; family: RefreshTokenFamily; refreshToken: string }
  /** A rotated token came back: the family is revoked now. */
  | { outcome: 'reused' }
  | { outcome: 'unknown' }

export class RefreshTokenFamilies extends SessionStore<RefreshTokenFamily> {
  public constructor(
    database: Database,
    schema: string,
    /** How long a family lives from its first token (HAIP §4.4: refresh tokens limited in time). */
    private readonly lifetimeSeconds: number,
  ) {
    super(database, schema, REFRESH_TOKEN_FAMILY_TYPE, contextCorrelationIdOf)
  }

  /** Starts a family; answers its first refresh token. */
  public async start(
    tenantId: string,
    family: Omit<RefreshTokenFamily, 'state' | 'current' | 'rotated' | 'createdAt'>,
  ): Promise<string> {
    const id = randomUUID()
    const secret = newSecret()
    const value: RefreshTokenFamily = {
      ...family,
      state: 'active',
      current: hashSecret(secret),
      rotated: [],
      createdAt: new Date().toISOString(),
    }
    await this.insert(tenantId, id, value, new Date(Date.now() + this.lifetimeSeconds * 1000))
    return `rt.${id}.${secret}`
  }

  /**
   * Rotates: the current token of an active family is replaced by a new one in one conditional
   * statement (of two requests racing with one token, one wins; the other is then reuse). A
   * rotated token of the family revokes it; anything else is unknown. A family bound to a DPoP key
   * or a wallet instance rotates only for a request proving the same keys.
   */
  public async rotate(
    tenantId: string,
    token: string,
    clientId: string,
    keys: { jkt?: string | undefined; instanceJkt?: string | undefined } = {},
  ): Promise<Rotation> {
    const match = TOKEN.exec(token)
    if (!match) return { outcome: 'unknown' }
    const [, id, secret] = match as unknown as [string, string, string]
    const presented = hashSecret(secret)
    const next = newSecret()
    const family = await this.updateReturning(
      tenantId,
      `value = value || jsonb_build_object('current', $5::text,
         'rotated', (jsonb_build_array(value->>'current') || coalesce(value->'rotated', '[]'::jsonb)) - ${MAX_ROTATED})`,
      `value->>'state' = 'active' AND value->>'current' = $4 AND value->>'clientId' = $6
         AND coalesce(value->>'jkt', '') = $7 AND coalesce(value->>'instanceJkt', '') = $8`,
      [id, presented, hashSecret(next), clientId, keys.jkt ?? '', keys.instanceJkt ?? ''],
    )
    if (family) return { outcome: 'rotated', family, refreshToken: `rt.${id}.${next}` }
    const revoked = await this.updateReturning(
      tenantId,
      `value = value || jsonb_build_object('state', 'revoked', 'revokedAt', $5::text)`,
      `value->'rotated' ? $4`,
      [id, presented, new Date().toISOString()],
    )
    return revoked ? { outcome: 'reused' } : { outcome: 'unknown' }
  }
}
