import { randomBytes } from 'node:crypto'
import { DomainError } from '@attesto/protocol-kit'
import type { AgentContext } from '@credo-ts/core'
import { DcqlQuery } from 'dcql'
import { z } from 'zod'
import { CLIENT_ID_PREFIXES, type ClientIdPrefix, clientIdFor } from '../protocol/clientIdentifier.js'
import { authorizationRequestUri, protocolUrls } from '../protocol/requestObject.js'
import { canWrapResponseKeys, createResponseKey } from '../protocol/responseKeys.js'
import type { VerifierDirectory } from '../protocol/VerifierDirectory.js'
import { dcqlInput } from '../verification/dcqlInput.js'
import { sameDeviceBinding } from '../verification/redirectUris.js'
import {
  MAX_REQUEST_LIFETIME_SECONDS,
  type ResponseMode,
  type SameDeviceBinding,
  type VerificationSession,
} from '../verification/VerificationSession.js'
import type { VerificationSessions } from '../verification/VerificationSessions.js'
import { presentationTemplates, type VerifierProfile } from '../verification/verifierDocuments.js'

/** A new presentation request: its input, checked, and its row, stored (`POST /presentation-requests`). */

export const createPresentationRequestInput = z.strictObject({
  verifierId: z.string().min(1),
  /** The query itself, or… */
  dcql: dcqlInput.optional(),
  /** …the id of a stored template. */
  templateId: z.string().min(1).optional(),
  /** How long the wallet has to answer (default 5 minutes). */
  expiresInSeconds: z.number().int().min(1).max(MAX_REQUEST_LIFETIME_SECONDS).default(300),
  /**
   * `direct_post.jwt`: the response is encrypted to a key made for this request (the default when
   * the KMS can wrap keys, as every backend of the kms-adapter can); `direct_post`: plain.
   */
  responseMode: z.enum(['direct_post', 'direct_post.jwt']).optional(),
  /** When a credential's status list cannot be fetched: `reject` or `accept` (flagged); default: the service's. */
  statusUnavailable: z.enum(['reject', 'accept']).optional(),
  /**
   * How the request identifies the verifier (OID4VP 1.0 §5.9.3): default `x509_hash` when it has a
   * certificate, `decentralized_identifier` otherwise.
   */
  clientIdPrefix: z.enum(CLIENT_ID_PREFIXES).optional(),
  /** `post`: the wallet may POST its metadata and a nonce to the request URI (§5.10); default `get`. */
  requestUriMethod: z.enum(['get', 'post']).optional(),
  /**
   * `cross_device` (default): the result is read with the API key. `same_device`: the wallet sends
   * the browser back to the frontend with a response code, and only that code releases the result.
   */
  flow: z.enum(['cross_device', 'same_device']).default('cross_device'),
  /** Same-device flow: one of the verifier's redirect URIs (default: its first). */
  redirectUri: z.string().max(2_000).optional(),
})

/** The response mode of a new request: as asked, if the KMS can serve it. */
function responseModeFor(tenantContext: AgentContext, asked: 'direct_post' | 'direct_post.jwt' | undefined) {
  const encrypted = canWrapResponseKeys(tenantContext)
  if (asked === 'direct_post.jwt' && !encrypted) {
    throw new DomainError(
      'response_encryption_unsupported',
      "This verifier's KMS backend cannot wrap response-encryption keys: use responseMode 'direct_post'",
    )
  }
  return asked ?? (encrypted ? 'direct_post.jwt' : 'direct_post')
}

/** What a new request is made with. */
export interface NewRequestServices {
  baseUrl: string
  directory: VerifierDirectory
  sessions: VerificationSessions
}

function validDcql(query: Record<string, unknown>): Record<string, unknown> {
  try {
    DcqlQuery.validate(DcqlQuery.parse(query as never))
    return query
  } catch (error) {
    throw new DomainError('invalid_request', `Invalid DCQL query: ${(error as Error).message}`)
  }
}

/** The tenant's verifier, from the instance's directory (a verifier of another tenant is not found). */
async function tenantVerifier(directory: VerifierDirectory, tenantContext: AgentContext, verifierId: string) {
  const resolved = await directory.resolve(verifierId)
  if (!resolved || resolved.tenantContext.contextCorrelationId !== tenantContext.contextCorrelationId) {
    throw new DomainError('verifier_not_found', `No verifier '${verifierId}' in this tenant`)
  }
  return resolved.profile
}

/**
 * The profile, read again when the request asks for an X.509 client identifier and this instance's
 * copy has no certificate (one uploaded through another instance a moment ago).
 */
async function withCertificateFor(
  directory: VerifierDirectory,
  tenantContext: AgentContext,
  profile: VerifierProfile,
  prefix: ClientIdPrefix | undefined,
): Promise<VerifierProfile> {
  if (profile.certificate || !prefix || prefix === 'decentralized_identifier') return profile
  directory.forget(profile.verifierId)
  return tenantVerifier(directory, tenantContext, profile.verifierId)
}

/** A new request, its input checked: what its row is made of. */
export interface NewRequest {
  input: z.output<typeof createPresentationRequestInput>
  profile: VerifierProfile
  clientId: string
  responseMode: ResponseMode
  dcqlQuery: Record<string, unknown>
  sameDevice: SameDeviceBinding | undefined
}

/**
 * Checks a new request's input (in this order: one of a query or a template, the tenant's
 * verifier, a valid DCQL query, a response mode the KMS serves, a client identifier its
 * certificate backs, a same-device redirect URI it lists).
 */
export async function newRequest(
  options: NewRequestServices,
  input: z.output<typeof createPresentationRequestInput>,
  tenantContext: AgentContext,
): Promise<NewRequest> {
  const { directory } = options
  if (Boolean(input.dcql) === Boolean(input.templateId)) {
    throw new DomainError('invalid_request', "Give either 'dcql' (a DCQL query) or 'templateId', not both")
  }
  let profile = await tenantVerifier(directory, tenantContext, input.verifierId)
  const dcql = input.dcql ?? (await presentationTemplates.get(tenantContext, input.templateId as string)).dcql
  const dcqlQuery = validDcql(dcql.query)
  const responseMode = responseModeFor(tenantContext, input.responseMode)
  profile = await withCertificateFor(directory, tenantContext, profile, input.clientIdPrefix)
  const clientId = clientIdFor(profile, new URL(options.baseUrl).hostname, input.clientIdPrefix)
  // http redirect URIs (loopback only) while the verifier itself runs on http: development.
  const allowHttpLoopback = options.baseUrl.startsWith('http:')
  const sameDevice = await sameDeviceBinding(tenantContext, profile.verifierId, input, allowHttpLoopback)
  return { input, profile, clientId, responseMode, dcqlQuery, sameDevice }
}

/** Stores a new request's row (one made by an earlier attempt of the same key is read instead), and its answer. */
export async function storeRequest(
  options: NewRequestServices,
  tenantContext: AgentContext,
  requestId: string,
  { input, profile, clientId, responseMode, dcqlQuery, sameDevice }: NewRequest,
) {
  const now = Date.now()
  let session: VerificationSession = {
    state: 'pending',
    verifierId: profile.verifierId,
    clientId,
    ...(input.requestUriMethod === 'post' ? { requestUriMethod: 'post' as const } : {}),
    nonce: randomBytes(32).toString('base64url'),
    responseMode,
    // HAIP 1.0 §5: a fresh response-encryption key for each request.
    ...(responseMode === 'direct_post.jwt' ? { responseKey: await createResponseKey(tenantContext, requestId) } : {}),
    dcqlQuery,
    ...(input.statusUnavailable ? { statusUnavailable: input.statusUnavailable } : {}),
    ...(sameDevice ? { sameDevice } : {}),
    createdAt: new Date(now).toISOString(),
    expiresAt: now + input.expiresInSeconds * 1000,
  }
  if (!(await options.sessions.create(tenantContext.contextCorrelationId, requestId, session))) {
    const existing = await options.sessions.find(tenantContext.contextCorrelationId, requestId)
    if (!existing) throw new DomainError('request_in_progress', 'The first attempt of this request expired')
    session = existing
  }
  const { requestUri } = protocolUrls(options.baseUrl, profile.verifierId, requestId)
  return {
    status: 201,
    body: {
      requestId,
      uri: authorizationRequestUri(session.clientId, requestUri, session.requestUriMethod),
      clientId: session.clientId,
      expiresAt: new Date(session.expiresAt).toISOString(),
      responseMode: session.responseMode,
      flow: session.sameDevice ? 'same_device' : 'cross_device',
    },
  }
}
