import { type OpenApiPaths, openApi } from '@attesto/agent-runtime'
import { z } from 'zod'
import { externalAuthorizationServerInput } from '../issuers/ExternalAuthorizationServer.js'

const { json, answer, errors } = openApi

export const authorizationServerResponse = z
  .object({
    issuer: z.string(),
    jwksUri: z.string().optional(),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
    audience: z.string().optional(),
    ownAuthorizationServer: z.boolean(),
    claimsSources: z.record(z.string(), z.record(z.string(), z.unknown())),
    claimsEndpointSecret: z
      .string()
      .optional()
      .meta({ description: 'Only when the server is first set: the HMAC key of claims-endpoint requests' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ExternalAuthorizationServer' })

const example = {
  issuer: 'https://login.university.example/realms/students',
  ownAuthorizationServer: true,
  claimsSources: { '*': { type: 'access_token', mapping: { given_name: 'given_name', family_name: 'family_name' } } },
}

const pathParams = z.object({ issuerId: z.string() })

/** An issuer's external authorization server (docs/AUTHORIZATION.md). */
export const authorizationServerOpenApiPaths: OpenApiPaths = {
  '/issuers/{issuerId}/authorization-server': {
    put: {
      operationId: 'putAuthorizationServer',
      tags: ['Authorization'],
      summary:
        "Name an authorization server the tenant runs (Keycloak, Entra ID, …): the issuer's metadata lists it in authorization_servers, and the credential endpoint takes its RFC 9068 JWT access tokens",
      description:
        "Its tokens must be signed (asymmetric) by a key of its JWKS, name it in iss and the audience (default the credential issuer identifier) in aud, carry sub, exp and iat, and grant a configuration of this issuer in scope (the configuration's scope) or authorization_details (openid_credential). A cnf.jkt-bound token is taken with a DPoP proof of that key only. claimsSources keys: a configuration id or '*'. 400 unknown_credential_configuration, claims_source_invalid (a deferred source for a configuration that is not deferred), authorization_server_invalid.",
      requestParams: { path: pathParams },
      requestBody: { required: true, ...json(externalAuthorizationServerInput.meta({ examples: [example] })) },
      responses: {
        '200': answer('Replaced', authorizationServerResponse),
        '201': answer('Set (with the claims endpoint secret, shown once)', authorizationServerResponse),
        ...errors(400, 401, 404),
      },
    },
    get: {
      operationId: 'getAuthorizationServer',
      tags: ['Authorization'],
      summary: "The issuer's external authorization server (no secret)",
      requestParams: { path: pathParams },
      responses: { '200': answer('OK', authorizationServerResponse), ...errors(401, 404) },
    },
    delete: {
      operationId: 'deleteAuthorizationServer',
      tags: ['Authorization'],
      summary: "Remove it: its tokens are refused from then on, and the issuer's own server takes every request",
      requestParams: { path: pathParams },
      responses: { '204': { description: 'Removed' }, ...errors(401, 404) },
    },
  },
}
