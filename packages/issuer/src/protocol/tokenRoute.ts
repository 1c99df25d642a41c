import { type BoundRoute, operation, rejectUnsafeProtocolInput } from '@attesto/agent-runtime'
import express from 'express'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import { ownServerRequired } from './externalAccessTokens.js'
import { countedIssuance } from './issuanceMetrics.js'
import { answering, freshnessHeaders } from './oid4vciAnswers.js'
import { type TokenEndpointOptions, tokenEndpoint } from './tokenEndpoint.js'

export const requestToken = operation({
  method: 'post',
  path: '/oid4vci/{issuerId}/token',
  operationId: 'requestToken',
  responses: {},
  edge: { bucket: 'token', bodyTypes: ['form'] },
  undocumented:
    'OpenID4VCI 1.0 §6 (token endpoint: the pre-authorized code grant, RFC 6749 §4.1.3 and §6 for the authorization code and refresh token grants)',
})

/**
 * The token endpoint (a form body; the DPoP nonce and the attestation challenge on every answer),
 * counted as the `token` step; refused where the tenant's external authorization server issues
 * the tokens.
 */
export function tokenRoute(directory: IssuerDirectory, options: TokenEndpointOptions): BoundRoute {
  return requestToken.handle([
    express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }),
    rejectUnsafeProtocolInput,
    freshnessHeaders(directory, options.proofs, true),
    answering(
      directory,
      countedIssuance('token', (issuer, request) => {
        ownServerRequired(issuer, 'unsupported_grant_type')
        return tokenEndpoint(issuer, request, options)
      }),
    ),
  ])
}
