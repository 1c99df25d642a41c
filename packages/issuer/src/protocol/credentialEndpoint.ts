import { randomUUID } from 'node:crypto'
import { ProtocolError } from '@attesto/agent-runtime'
import type { Request } from 'express'
import { z } from 'zod'
import type { HolderBinding, IssuanceSession } from '../issuance/IssuanceSession.js'
import type { IssuanceSessionStore } from '../issuance/IssuanceSessionStore.js'
import { MAX_BATCH_SIZE } from '../issuers/batchIssuance.js'
import type { CredentialConfiguration } from '../issuers/credentialConfiguration.js'
import type { IssuerDirectory, ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import type { CredentialStatusService } from '../status/CredentialStatusService.js'
import type { WalletProviderKeys } from './clientAttestation/WalletProviderKeys.js'
import { provenHolderKeys } from './credentialProofs.js'
import { type AccessTokenOptions, offerOfPresentedToken, type TokenTarget } from './externalAccessTokens.js'
import { issueCredentials } from './issueCredentials.js'
import { knownIssuer } from './knownIssuer.js'
import type { IssuerProtocolConfig } from './protocolConfig.js'

/**
 * The longest proof JWT taken, the longest compact JWT the protocol path decodes: a key
 * attestation of a full batch of keys with its x5c chain fits within it; the body limit bounds a request.
 */
const PROOF_MAX_LENGTH = 64 * 1024

const credentialRequest = z.object({
  credential_configuration_id: z.string().max(200).optional(),
  /** After the authorization code flow: the identifier its token response named (the configuration id). */
  credential_identifier: z.string().max(200).optional(),
  /** Draft 13 wallets name a format (and a vct or doctype) instead of a configuration id. */
  format: z.enum(['dc+sd-jwt', 'vc+sd-jwt', 'mso_mdoc']).optional(),
  vct: z.string().max(2000).optional(),
  doctype: z.string().max(200).optional(),
  proof: z.object({ proof_type: z.literal('jwt'), jwt: z.string().max(PROOF_MAX_LENGTH) }).optional(),
  proofs: z
    .object({
      jwt: z.array(z.string().max(PROOF_MAX_LENGTH)).min(1).max(MAX_BATCH_SIZE).optional(),
      attestation: z.array(z.string().max(PROOF_MAX_LENGTH)).min(1).max(MAX_BATCH_SIZE).optional(),
    })
    .optional(),
})

const deferredRequest = z.object({ transaction_id: z.string().min(1).max(200) })

export interface CredentialEndpointOptions extends AccessTokenOptions {
  sessions: IssuanceSessionStore
  directory: IssuerDirectory
  config: IssuerProtocolConfig
  /** Status list entries of revocable credentials. */
  status?: CredentialStatusService
  /** Called once per issuance, a batch being one (the `credential.issued` event). */
  onIssued(issuer: ResolvedIssuer, offerId: string, credentialCount: number): void
  /** The tenants' trusted wallet providers, who sign key attestations (keyAttestation/). */
  walletProviders: WalletProviderKeys
}

const denied = (description: string) => new ProtocolError(400, 'credential_request_denied', description)

/** The offer an access token names, unless its credential is out already. */
async function tokenSession(
  issuer: ResolvedIssuer,
  request: Request,
  options: CredentialEndpointOptions,
  target: TokenTarget,
) {
  const offerId = await offerOfPresentedToken(issuer, request, options, target)
  const session = await options.sessions.find(issuer.tenantId, offerId)
  if (!session) throw new ProtocolError(401, 'invalid_token', 'The offer of this access token no longer exists')
  if (session.state === 'credential_issued') throw denied('The credential of this offer was issued already')
  return { offerId, session }
}

/** The offer an access token names, if it may still be issued on (a deferred one may be collected later: its row lives on). */
async function liveSession(
  issuer: ResolvedIssuer,
  request: Request,
  options: CredentialEndpointOptions,
  input: z.output<typeof credentialRequest>,
) {
  const configurationId = input.credential_identifier ?? input.credential_configuration_id
  const found = await tokenSession(issuer, request, options, {
    configurationId,
    vct: input.vct,
    doctype: input.doctype,
  })
  if (found.session.expiresAt <= Date.now()) throw denied('The credential offer has expired')
  if (found.session.state === 'failed') throw denied('The offer is void')
  return found
}

/** The offer's configuration, if the request names it (by id, or by format and vct for draft 13 wallets). */
function requestedConfiguration(
  issuer: ResolvedIssuer,
  session: IssuanceSession,
  input: z.output<typeof credentialRequest>,
): CredentialConfiguration {
  const configuration = issuer.profile.configurations[session.configurationId]
  if (!configuration) throw denied("The offer's credential configuration no longer exists")
  if (input.credential_identifier !== undefined) {
    if (input.credential_identifier !== configuration.id || input.credential_configuration_id !== undefined) {
      throw new ProtocolError(
        400,
        'unknown_credential_identifier',
        `Unknown credential identifier for this access token`,
      )
    }
    return configuration
  }
  const id = input.credential_configuration_id
  if (id !== undefined) {
    if (!Object.hasOwn(issuer.profile.configurations, id)) {
      throw new ProtocolError(400, 'unknown_credential_configuration', `Unknown credential configuration '${id}'`)
    }
    if (id !== configuration.id) throw denied(`This offer is for '${configuration.id}', not '${id}'`)
    return configuration
  }
  if (draft13Names(configuration, input)) return configuration
  throw new ProtocolError(
    400,
    'invalid_credential_request',
    "Name the credential: 'credential_configuration_id' (or 'format' and 'vct', or 'format' mso_mdoc and 'doctype')",
  )
}

/**
 * Whether a draft 13 request (`format` instead of a configuration id) names the offer's
 * configuration: an SD-JWT VC by its format (its `vct`, if sent, must be the configuration's:
 * one independent draft 13 client sends none), an mdoc by `mso_mdoc` and its `doctype`.
 */
function draft13Names(configuration: CredentialConfiguration, input: z.output<typeof credentialRequest>): boolean {
  if (configuration.format === 'mso_mdoc') {
    return input.format === 'mso_mdoc' && input.doctype === configuration.doctype
  }
  return (
    input.format !== undefined &&
    input.format !== 'mso_mdoc' &&
    (input.vct === undefined || input.vct === configuration.vct)
  )
}

/**
 * Issues the offer's credentials, one per holder key, and records the issuance in one conditional
 * statement (`from` the states it may leave): of concurrent requests on one token, one gets them.
 * A deferred response carries no `notification_id`: @openid4vc/openid4vci 0.4.6, under Credo's
 * holder and the wallet SDK, refuses a deferred credential response that has one (its check is
 * the wrong way round), and the parameter is optional (OID4VCI 1.0 §9.2, §8.3).
 */
async function issueOnce(
  issuer: ResolvedIssuer,
  offerId: string,
  from: 'token_issued' | 'credential_pending',
  configuration: CredentialConfiguration,
  session: IssuanceSession,
  holders: HolderBinding[],
  options: CredentialEndpointOptions,
) {
  const issued = await issueCredentials(issuer, configuration, session, holders, options.status)
  if (!(await options.sessions.markIssued(issuer.tenantId, offerId, [from], issued.issuance))) {
    throw denied('The credential of this offer was issued already')
  }
  options.onIssued(issuer, offerId, holders.length)
  return {
    status: 200,
    body: {
      credentials: issued.credentials.map((credential) => ({ credential })),
      ...(from === 'token_issued' ? { notification_id: issued.issuance.notificationId } : {}),
    },
  }
}

/**
 * The credential endpoint (OID4VCI 1.0 §8). A refused request (bad proof, stale nonce, wrong
 * configuration) changes nothing: the wallet may correct it and retry until its token expires.
 * A request may carry up to the issuer's batch size of proofs and gets one credential per proof.
 * Issuing is one conditional state change: of concurrent requests on one token, one gets the
 * credentials. A deferred offer without claims yet answers 202 with a transaction id, and keeps
 * every proven key for the credentials it will issue.
 */
export async function credentialEndpoint(cached: ResolvedIssuer, request: Request, options: CredentialEndpointOptions) {
  const input = credentialRequest.parse(request.body)
  const { offerId, session } = await liveSession(cached, request, options, input)
  const issuer = await knownIssuer(
    options.directory.getWithConfiguration(cached.profile.issuerId, session.configurationId),
  )
  if (session.state === 'credential_pending') throw denied('This credential is deferred: use the deferred endpoint')
  const configuration = requestedConfiguration(issuer, session, input)
  const holders = await provenHolderKeys(issuer, configuration, input, {
    maxClockSkewSeconds: options.config.proofMaxClockSkewSeconds,
    walletProviders: options.walletProviders,
  })
  if (session.deferred && Object.keys(session.claims).length === 0) {
    const transactionId = randomUUID()
    const pending = await options.sessions.transition(issuer.tenantId, offerId, ['token_issued'], {
      state: 'credential_pending',
      transactionId,
      holderBinding: holders[0] as HolderBinding,
      ...(holders.length > 1 ? { holderBindings: holders } : {}),
    })
    if (!pending) throw denied('The credential of this offer was requested already')
    return { status: 202, body: { transaction_id: transactionId, interval: session.deferralIntervalSeconds ?? 30 } }
  }
  return issueOnce(issuer, offerId, 'token_issued', configuration, session, holders, options)
}

/**
 * The deferred credential endpoint (OID4VCI 1.0 §9): the credentials once their claims are
 * approved (one per key the credential request proved, a deferred batch too), else 202 again.
 */
export async function deferredCredentialEndpoint(
  cached: ResolvedIssuer,
  request: Request,
  options: CredentialEndpointOptions,
) {
  const { transaction_id: transactionId } = deferredRequest.parse(request.body)
  const { offerId, session } = await tokenSession(cached, request, options, {
    matches: (made) => made.transactionId === transactionId,
  })
  const issuer = await knownIssuer(
    options.directory.getWithConfiguration(cached.profile.issuerId, session.configurationId),
  )
  if (session.state !== 'credential_pending' || session.transactionId !== transactionId || !session.holderBinding) {
    throw new ProtocolError(400, 'invalid_transaction_id', 'Unknown transaction id for this access token')
  }
  if (Object.keys(session.claims).length === 0) {
    return { status: 202, body: { transaction_id: transactionId, interval: session.deferralIntervalSeconds ?? 30 } }
  }
  const configuration = issuer.profile.configurations[session.configurationId]
  if (!configuration) throw denied("The offer's credential configuration no longer exists")
  const holders = session.holderBindings ?? [session.holderBinding]
  return issueOnce(issuer, offerId, 'credential_pending', configuration, session, holders, options)
}
