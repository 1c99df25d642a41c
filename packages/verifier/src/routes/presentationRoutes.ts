import { randomUUID } from 'node:crypto'
import {
  type BoundRoute,
  feature,
  openApi,
  operation,
  type TenantRequestLocals,
  withIdempotency,
} from '@attesto/agent-runtime'
import { DomainError } from '@attesto/protocol-kit'
import { z } from 'zod'
import type { VerificationSession } from '../verification/VerificationSession.js'
import type { VerifierExistenceCheck } from './lifecycleRoutes.js'
import {
  createPresentationRequestInput,
  type NewRequestServices,
  newRequest,
  storeRequest,
} from './newPresentationRequest.js'
import {
  createdPresentationRequestResponse,
  type PresentationResultResponse,
  presentationResultResponse,
  responseCodeRefused,
} from './presentationResponses.js'
import { dcqlExample } from './templateRoutes.js'

const { answer, errors, idempotencyKey } = openApi

export interface PresentationRoutesOptions extends NewRequestServices {
  /** Refuses a request for a verifier deleted through another instance, before anything else. */
  verifierCheck: VerifierExistenceCheck
}

export const createPresentationRequest = operation({
  method: 'post',
  path: '/presentation-requests',
  operationId: 'createPresentationRequest',
  tags: ['Presentation requests'],
  summary: 'Create an OID4VP request with a DCQL query; returns the openid4vp:// URI',
  description:
    "responseMode direct_post.jwt: the wallet encrypts its response to a key made for this request alone (claims unreadable to proxies on the way; HAIP 1.0 §5); direct_post: a plain form post. Default: direct_post.jwt when the KMS can wrap keys (the local, Vault, AWS and pkcs11 backends can), direct_post otherwise; direct_post.jwt on such a KMS is 400 response_encryption_unsupported. statusUnavailable: when a credential's status list cannot be fetched, reject (status_unavailable) or accept it with statusUnavailable: true in the result; default STATUS_UNAVAILABLE_POLICY (reject). clientIdPrefix (OID4VP 1.0 §5.9.3): x509_hash (the default for a verifier with a certificate: the base64url SHA-256 of its leaf), x509_san_dns (the host of PUBLIC_BASE_URL, which must be a SAN DNS name of the certificate and is the response URI's host; 400 client_id_not_in_certificate otherwise) or decentralized_identifier (the default without a certificate); an X.509 prefix without a certificate is 400 verifier_certificate_missing. requestUriMethod post: the URI carries request_uri_method=post, and the wallet may POST wallet_metadata and wallet_nonce to the request URI (§5.10). flow same_device (with redirectUri, one of the verifier's redirect URIs, default its first; 400 redirect_uri_not_configured, redirect_uri_not_allowed): the wallet is sent back to the frontend with a response code, and only that code releases the result (docs/SAME-DEVICE.md). A DCQL credential query may list trusted_authorities of type aki: a credential whose x5c chain has none of those Authority Key Identifiers is rejected as untrusted_authority.",
  parameters: [idempotencyKey],
  body: {
    required: true,
    schema: createPresentationRequestInput.meta({
      id: 'PresentationRequestInput',
      description: 'Exactly one of dcql (a DCQL query) and templateId (a stored one)',
      oneOf: [{ required: ['dcql'] }, { required: ['templateId'] }],
      examples: [
        { verifierId: '3f1d2c4b-7a8e-4b6f-9d0c-1e2a3b4c5d6e', dcql: dcqlExample },
        {
          verifierId: '3f1d2c4b-7a8e-4b6f-9d0c-1e2a3b4c5d6e',
          templateId: 'diploma-check',
          expiresInSeconds: 600,
        },
      ],
    }),
  },
  responses: {
    '201': answer('Created', createdPresentationRequestResponse),
    ...errors(400, 401, 404, 409, 422, 503),
  },
})

export const getPresentationRequest = operation({
  method: 'get',
  path: '/presentation-requests/{requestId}',
  operationId: 'getPresentationRequest',
  tags: ['Presentation requests'],
  summary:
    'State of a request, as decided once and stored: pending (with refused attempts), verified (with the disclosed claims and their issuer), rejected (with the reason), expired. A same-device request is 403 response_code_required: its result is released only by POST /presentation-requests/{requestId}/result',
  params: z.object({ requestId: z.string() }),
  responses: {
    '200': answer('OK', presentationResultResponse),
    ...errors(401, 404),
    ...responseCodeRefused('response_code_required: a same-device request, read with its response code'),
  },
})

/**
 * `POST /presentation-requests` (honours `Idempotency-Key`) stores a request (one row) with a
 * DCQL query, given or from a stored template, and returns its `openid4vp://` URI; a same-device
 * request also names the page the wallet sends the browser back to (`redirectUris.ts`).
 * `GET /presentation-requests/:requestId` reads that row: pending (with refused attempts),
 * verified (with the disclosed claims and their issuer), rejected (with the reason) or expired;
 * never a same-device request's, which only its response code releases (`sameDeviceRoutes.ts`).
 * A new request is first refused for a verifier deleted through another instance
 * (`verifierCheck`, `lifecycleRoutes.ts`), before its body is read.
 */
function presentationRoutes(options: PresentationRoutesOptions): BoundRoute[] {
  const create = createPresentationRequest.handle([
    options.verifierCheck.handler,
    async (request, response) => {
      const { tenantContext } = response.locals as TenantRequestLocals
      const input = createPresentationRequest.body(request)
      const made = await newRequest(options, input, tenantContext)
      // The request id is chosen when the key is reserved: a retry that takes the key over finds the
      // request made before instead of opening a second one.
      const result = await withIdempotency(
        tenantContext,
        request,
        async (requestId = randomUUID()) => storeRequest(options, tenantContext, requestId, made),
        { prepare: () => randomUUID() },
      )
      response.status(result.status).json(result.body)
    },
  ])

  const read = getPresentationRequest.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const { requestId } = getPresentationRequest.params(request)
    const session = await options.sessions.find(tenantContext.contextCorrelationId, requestId)
    if (!session) throw new DomainError('presentation_request_not_found', `No presentation request '${requestId}'`)
    refuseSameDevice(requestId, session)
    const result = presentationResult(requestId, session)
    response.json(result)
  })

  return [create, read]
}

/** Presentation requests and their results (cross-device; the same-device release is `sameDeviceRoutes.ts`). */
export const presentationFeature = feature({
  name: 'presentation requests',
  tags: [['Presentation requests', 'OID4VP requests and their results']],
  operations: [createPresentationRequest, getPresentationRequest],
  routes: presentationRoutes,
})

/** A same-device request's result is released only to its response code, never to the API key. */
function refuseSameDevice(requestId: string, session: VerificationSession): void {
  if (!session.sameDevice) return
  throw new DomainError(
    'response_code_required',
    `Request '${requestId}' is a same-device request: its result is released only with the response code the frontend received (POST /presentation-requests/${requestId}/result)`,
  )
}

/** What `GET /presentation-requests/:requestId` answers about a stored request. */
export function presentationResult(requestId: string, session: VerificationSession): PresentationResultResponse {
  const expired = session.state === 'pending' && Date.now() >= session.expiresAt
  return {
    requestId,
    verifierId: session.verifierId,
    createdAt: session.createdAt,
    expiresAt: new Date(session.expiresAt).toISOString(),
    responseMode: session.responseMode,
    status: expired ? 'expired' : session.state,
    ...(session.decidedAt ? { decidedAt: session.decidedAt } : {}),
    ...(session.reason ? { reason: session.reason } : {}),
    ...(session.credentials ? { credentials: session.credentials } : {}),
    ...(session.refusedAttemptCount
      ? { refusedAttempts: session.refusedAttempts ?? [], refusedAttemptCount: session.refusedAttemptCount }
      : {}),
  }
}
