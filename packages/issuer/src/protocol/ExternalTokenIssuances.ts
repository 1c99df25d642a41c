import { createHash } from 'node:crypto'
import { ProtocolError } from '@attesto/agent-runtime'
import { AuthorizationServerKeys } from '../authorization/AuthorizationServerKeys.js'
import type { AuthorizationConfig } from '../authorization/authorizationConfig.js'
import { LoginClaimsError, loginClaims } from '../authorization/loginClaims.js'
import type { IssuanceSession } from '../issuance/IssuanceSession.js'
import type { IssuanceSessionStore } from '../issuance/IssuanceSessionStore.js'
import type { CredentialConfiguration } from '../issuers/credentialConfiguration.js'
import { externalClaimsSourceOf } from '../issuers/ExternalAuthorizationServer.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import type { ExternalAccessToken, ExternalTokenSessions, TokenTarget } from './externalAccessTokens.js'

const denied = (description: string) => new ProtocolError(400, 'credential_request_denied', description)

/**
 * The offer id of a token's issuance of one configuration, the same on every instance: a UUID
 * made of SHA-256 over the server, the token's `jti` (the token itself without one) and the
 * configuration. One token yields one issuance per configuration it grants.
 */
export function externalOfferId(token: ExternalAccessToken, configurationId: string): string {
  const tokenId = typeof token.payload.jti === 'string' ? token.payload.jti : token.token
  const hex = createHash('sha256').update(`${token.server.issuer}\n${tokenId}\n${configurationId}`).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/**
 * The issuances of external authorization servers' tokens, kept as offer rows like any other
 * (`grant: 'external'`, the token's `sub` as the logged-in subject): made by the first credential
 * request with a token, with the claims of the configuration's claims source (the token's own
 * claims mapped, the tenant's claims endpoint, or none yet for a deferred configuration), living
 * as long as the token. The row's state then keeps a replayed token from a second credential.
 */
export class ExternalTokenIssuances implements ExternalTokenSessions {
  public constructor(
    public readonly keys: AuthorizationServerKeys,
    private readonly sessions: IssuanceSessionStore,
    /** Allow http:// and loopback claims endpoints (development and tests only). */
    private readonly allowInsecure: boolean,
  ) {}

  public async offerOf(issuer: ResolvedIssuer, token: ExternalAccessToken, target: TokenTarget): Promise<string> {
    if ('matches' in target) return this.madeOffer(issuer, token, target.matches)
    const configuration = this.requested(token, target)
    const offerId = externalOfferId(token, configuration.id)
    if (await this.sessions.find(issuer.tenantId, offerId)) return offerId
    const session = await this.newSession(issuer, token, configuration)
    await this.sessions.create(issuer.tenantId, offerId, session) // false: another request made it first
    return offerId
  }

  /** The configuration a credential request names among those the token grants. */
  private requested(
    token: ExternalAccessToken,
    target: { configurationId: string | undefined; vct?: string | undefined; doctype?: string | undefined },
  ): CredentialConfiguration {
    const { configurations } = token
    const found =
      target.configurationId !== undefined
        ? configurations.find((configuration) => configuration.id === target.configurationId)
        : configurations.length === 1
          ? configurations[0]
          : configurations.find((c) =>
              c.format === 'mso_mdoc'
                ? target.doctype !== undefined && c.doctype === target.doctype
                : target.vct !== undefined && c.vct === target.vct,
            )
    if (!found) {
      throw new ProtocolError(
        400,
        'unknown_credential_identifier',
        `The access token grants ${configurations.map((c) => `'${c.id}'`).join(', ')}: name one of them`,
      )
    }
    return found
  }

  private async madeOffer(
    issuer: ResolvedIssuer,
    token: ExternalAccessToken,
    matches: (session: IssuanceSession) => boolean,
  ): Promise<string> {
    for (const configuration of token.configurations) {
      const offerId = externalOfferId(token, configuration.id)
      const session = await this.sessions.find(issuer.tenantId, offerId)
      if (session && matches(session)) return offerId
    }
    // The endpoints then answer their own refusal (unknown transaction or notification id).
    return externalOfferId(token, token.configurations[0]?.id ?? '')
  }

  private async newSession(
    issuer: ResolvedIssuer,
    token: ExternalAccessToken,
    configuration: CredentialConfiguration,
  ): Promise<IssuanceSession> {
    const source = externalClaimsSourceOf(token.server, configuration.id)
    if (!source) throw denied(`No claims source is configured for '${configuration.id}'`)
    let claims: Record<string, unknown>
    try {
      claims = await loginClaims(source, token.server, {
        issuerId: issuer.profile.issuerId,
        configuration,
        login: { subject: token.payload.sub, accessTokenClaims: token.payload },
        allowInsecure: this.allowInsecure,
      })
    } catch (error) {
      if (error instanceof LoginClaimsError) throw denied(error.message)
      throw error
    }
    return {
      state: 'token_issued',
      issuerId: issuer.profile.issuerId,
      configurationId: configuration.id,
      claims,
      codeHash: '',
      expiresAt: (token.payload.exp as number) * 1000,
      createdAt: new Date().toISOString(),
      grant: 'external',
      authorizationServer: token.server.issuer,
      loggedInSubject: token.payload.sub,
      ...(configuration.deferred ? { deferred: true, deferralIntervalSeconds: 30 } : {}),
    }
  }
}

/** The issuances of external tokens, with a JWKS cache under the configured limits. */
export function externalTokenIssuances(
  config: AuthorizationConfig,
  sessions: IssuanceSessionStore,
  allowInsecure: boolean,
): ExternalTokenIssuances {
  const keys = new AuthorizationServerKeys({
    cacheSeconds: config.jwksCacheSeconds,
    refetchIntervalSeconds: config.jwksRefetchSeconds,
    allowInsecure,
  })
  return new ExternalTokenIssuances(keys, sessions, allowInsecure)
}
