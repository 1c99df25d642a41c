import { randomInt } from 'node:crypto'
import { DomainError } from '@attesto/protocol-kit'
import type { AgentContext } from '@credo-ts/core'
import {
  type CredentialConfiguration,
  type CredentialValidity,
  validateClaims,
} from '../issuers/credentialConfiguration.js'
import { ownServerAvailable } from '../issuers/ExternalAuthorizationServer.js'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import { type IssuerProfile, issuerProfiles } from '../issuers/issuerProfiles.js'
import { UnknownIssuerError } from '../issuers/UnknownIssuerError.js'
import {
  type IssuanceSession,
  issuerStateSecret,
  newPreAuthorizedCode,
  PRE_AUTHORIZED_CODE_GRANT,
  splitPreAuthorizedCode,
} from './IssuanceSession.js'
import { hashSecret, type IssuanceSessionStore } from './IssuanceSessionStore.js'

export interface OfferInput {
  claims: Record<string, unknown>
  /** Require a transaction code of this many digits (sent to the holder out of band). */
  txCodeLength?: number
  expiresInSeconds: number
  /** Chosen by the caller (from `newPreAuthorizedCode`): lets a retried job find the offer it made before. */
  preAuthorizedCode?: string
  /** For a deferred configuration: seconds between the wallet's deferred-credential requests. */
  deferralIntervalSeconds?: number
  /** The credential's own validity window, if the offer sets one. */
  validity?: CredentialValidity
  /** Offer the authorization code grant (with `issuer_state`) instead of a pre-authorised code. */
  grant?: 'authorization_code'
  /** With the authorization code grant: the provider subject that alone may log in for it. */
  subject?: string
}

export interface CreatedOffer {
  offerId: string
  uri: string
  txCode?: string
  expiresAt: string
}

type OfferTarget = { profile: IssuerProfile; configuration: CredentialConfiguration }

/** The profile's configuration (an own property only: `constructor` is no configuration); 404 otherwise. */
function targetOf(profile: IssuerProfile, credentialConfigurationId: string): OfferTarget {
  const configuration = Object.hasOwn(profile.configurations, credentialConfigurationId)
    ? profile.configurations[credentialConfigurationId]
    : undefined
  if (!configuration) {
    throw new DomainError(
      'credential_configuration_not_found',
      `Issuer '${profile.issuerId}' has no credential configuration '${credentialConfigurationId}'`,
    )
  }
  return { profile, configuration }
}

/** The issuer profile and one of its credential configurations, read from storage; 404s name what is missing. */
export async function offerTarget(
  tenantContext: AgentContext,
  issuerId: string,
  credentialConfigurationId: string,
): Promise<OfferTarget> {
  return targetOf(await issuerProfiles.get(tenantContext, issuerId), credentialConfigurationId)
}

/**
 * {@link offerTarget} from the instance's issuer directory (no storage read while cached). A
 * configuration this instance has not seen yet (made on another instance) is looked up afresh.
 */
export async function cachedOfferTarget(
  directory: IssuerDirectory,
  tenantId: string,
  issuerId: string,
  credentialConfigurationId: string,
): Promise<OfferTarget> {
  const notFound = () => new DomainError('issuer_not_found', `No issuer '${issuerId}' in this tenant`)
  const issuer = await directory.getWithConfiguration(issuerId, credentialConfigurationId).catch((error: unknown) => {
    if (error instanceof UnknownIssuerError) throw notFound()
    throw error
  })
  if (issuer.tenantId !== tenantId) throw notFound()
  return targetOf(issuer.profile, credentialConfigurationId)
}

/** What offers are made with: the session rows and where credential issuers live. */
export interface OfferMaker {
  sessions: IssuanceSessionStore
  /** `<base>/oid4vci`: an issuer's credential issuer identifier is this plus its id. */
  credentialIssuerBaseUrl: string
}

function txCodeOf(length: number): string {
  return Array.from({ length }, () => randomInt(10)).join('')
}

/** The `openid-credential-offer://` URI of a session, with the offer by value (no fetch needed). */
export function offerUri(maker: OfferMaker, session: IssuanceSession, preAuthorizedCode: string): string {
  const credentialIssuer = `${maker.credentialIssuerBaseUrl}/${session.issuerId}`
  const grants =
    session.grant === 'authorization_code'
      ? authorizationCodeGrant(preAuthorizedCode)
      : preAuthorizedGrant(session, preAuthorizedCode)
  // OID4VCI 1.0 §4.1.1: with several authorization servers, the grant names the one that knows its code (ours).
  if (session.namesAuthorizationServer) {
    for (const grant of Object.values(grants)) Object.assign(grant, { authorization_server: credentialIssuer })
  }
  const offer = { credential_issuer: credentialIssuer, credential_configuration_ids: [session.configurationId], grants }
  return `openid-credential-offer://?credential_offer=${encodeURIComponent(JSON.stringify(offer))}`
}

/** OID4VCI 1.0 §4.1.1: the authorization code grant; its `issuer_state` is the offer id and a secret, like a pre-authorised code. */
const authorizationCodeGrant = (issuerState: string) => ({ authorization_code: { issuer_state: issuerState } })

function preAuthorizedGrant(session: IssuanceSession, preAuthorizedCode: string) {
  return {
    [PRE_AUTHORIZED_CODE_GRANT]: {
      'pre-authorized_code': preAuthorizedCode,
      ...(session.txCode
        ? { tx_code: { length: session.txCode.length, input_mode: 'numeric', description: 'The code sent to you' } }
        : {}),
    },
  }
}

/**
 * Creates one OID4VCI pre-authorised offer of claims already checked against the configuration
 * (see {@link validateClaims}): one session row. A caller-chosen pre-authorised code (of
 * {@link newPreAuthorizedCode}) makes the call repeatable: the same code finds the offer made
 * before instead of a second one. An offer of a deferred configuration may come without claims:
 * they are approved later.
 */
export async function createOffer(
  maker: OfferMaker,
  tenantId: string,
  { profile, configuration }: { profile: IssuerProfile; configuration: CredentialConfiguration },
  input: OfferInput,
): Promise<CreatedOffer> {
  if (!ownServerAvailable(profile)) {
    throw new DomainError(
      'own_authorization_server_disabled',
      "This issuer's access tokens come from its external authorization server only: an offer's code could not be redeemed (PUT /issuers/{issuerId}/authorization-server with ownAuthorizationServer true)",
    )
  }
  const code = input.preAuthorizedCode ?? newPreAuthorizedCode()
  const parts = splitPreAuthorizedCode(code)
  if (!parts) throw new Error('A pre-authorised code must come from newPreAuthorizedCode()')
  const session: IssuanceSession = {
    state: 'offered',
    issuerId: profile.issuerId,
    configurationId: configuration.id,
    claims: input.claims,
    codeHash: hashSecret(input.grant === 'authorization_code' ? issuerStateSecret(parts.secret) : parts.secret),
    ...(input.grant ? { grant: input.grant } : {}),
    ...(profile.authorizationServer ? { namesAuthorizationServer: true } : {}),
    ...(input.subject !== undefined ? { subject: input.subject } : {}),
    ...(input.txCodeLength ? { txCode: txCodeOf(input.txCodeLength) } : {}),
    expiresAt: Date.now() + input.expiresInSeconds * 1000,
    createdAt: new Date().toISOString(),
    ...(input.validity?.notBefore !== undefined ? { credentialNotBefore: input.validity.notBefore } : {}),
    ...(input.validity?.expiresAt !== undefined ? { credentialExpiresAt: input.validity.expiresAt } : {}),
    ...(configuration.deferred ? { deferred: true, deferralIntervalSeconds: input.deferralIntervalSeconds ?? 30 } : {}),
  }
  if (!(await maker.sessions.create(tenantId, parts.offerId, session))) {
    const existing = await maker.sessions.find(tenantId, parts.offerId)
    if (!existing || existing.codeHash !== session.codeHash) throw new Error('Offer id collision')
    return createdOffer(maker, parts.offerId, existing, code)
  }
  return createdOffer(maker, parts.offerId, session, code)
}

function createdOffer(maker: OfferMaker, offerId: string, session: IssuanceSession, code: string): CreatedOffer {
  return {
    offerId,
    uri: offerUri(maker, session, code),
    ...(session.txCode ? { txCode: session.txCode } : {}),
    expiresAt: new Date(session.expiresAt).toISOString(),
  }
}

/** The offer made with this pre-authorised code (of {@link newPreAuthorizedCode}), if it exists yet. */
export async function findOffer(maker: OfferMaker, tenantId: string, code: string): Promise<CreatedOffer | undefined> {
  const parts = splitPreAuthorizedCode(code)
  const session = parts ? await maker.sessions.find(tenantId, parts.offerId) : null
  return parts && session ? createdOffer(maker, parts.offerId, session, code) : undefined
}
