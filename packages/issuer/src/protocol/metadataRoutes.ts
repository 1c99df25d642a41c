import { type BoundRoute, operation, rejectUnsafeProtocolInput } from '@attesto/agent-runtime'
import type { IssuerDirectory, ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import { authorizationServerMetadata, credentialIssuerMetadata } from './issuerMetadata.js'
import { answering } from './oid4vciAnswers.js'

/**
 * A metadata document under both well-known forms: the well-known segment inserted before the
 * issuer's path (RFC 8615, as OID4VCI 1.0 and RFC 8414 place it), and appended to it (as earlier
 * drafts and many wallets fetch it).
 */
function wellKnown(document: string, operationId: string, specification: string) {
  return [
    operation({
      method: 'get',
      path: `/.well-known/${document}/oid4vci/{issuerId}`,
      operationId,
      responses: {},
      undocumented: specification,
    }),
    operation({
      method: 'get',
      path: `/oid4vci/{issuerId}/.well-known/${document}`,
      operationId: `${operationId}AppendedForm`,
      responses: {},
      undocumented: `${specification}, appended to the issuer's path as earlier drafts had it`,
    }),
  ] as const
}

export const getCredentialIssuerMetadata = wellKnown(
  'openid-credential-issuer',
  'getCredentialIssuerMetadata',
  'OpenID4VCI 1.0 §12.2.2 (credential issuer metadata)',
)
export const getAuthorizationServerMetadata = wellKnown(
  'oauth-authorization-server',
  'getAuthorizationServerMetadata',
  'RFC 8414 §3 (authorization server metadata), OpenID4VCI 1.0 §12.3',
)

/** The credential issuer and authorisation server metadata, each under both well-known forms; cacheable. */
export function metadataRoutes(directory: IssuerDirectory): BoundRoute[] {
  const metadata = (build: (issuer: ResolvedIssuer) => object) =>
    answering(directory, async (issuer) => build(issuer), false)
  return [
    ...getCredentialIssuerMetadata.map((declared) =>
      declared.handle([rejectUnsafeProtocolInput, metadata(credentialIssuerMetadata)]),
    ),
    ...getAuthorizationServerMetadata.map((declared) =>
      declared.handle([rejectUnsafeProtocolInput, metadata(authorizationServerMetadata)]),
    ),
  ]
}
