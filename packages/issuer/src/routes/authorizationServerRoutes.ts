import { randomBytes } from 'node:crypto'
import { type BoundRoute, feature, openApi, operation, type TenantRequestLocals } from '@attesto/agent-runtime'
import { DomainError } from '@attesto/protocol-kit'
import { z } from 'zod'
import {
  type ExternalAuthorizationServer,
  type ExternalAuthorizationServerInput,
  externalAuthorizationServerInput,
} from '../issuers/ExternalAuthorizationServer.js'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import { type IssuerProfile, issuerProfiles } from '../issuers/issuerProfiles.js'

const { answer, errors } = openApi

const authorizationServerResponse = z
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

const PATH = '/issuers/{issuerId}/authorization-server'
const pathParams = z.object({ issuerId: z.string() })

export const putAuthorizationServer = operation({
  method: 'put',
  path: PATH,
  operationId: 'putAuthorizationServer',
  tags: ['Authorization'],
  summary:
    "Name an authorization server the tenant runs (Keycloak, Entra ID, …): the issuer's metadata lists it in authorization_servers, and the credential endpoint takes its RFC 9068 JWT access tokens",
  description:
    "Its tokens must be signed (asymmetric) by a key of its JWKS, name it in iss and the audience (default the credential issuer identifier) in aud, carry sub, exp and iat, and grant a configuration of this issuer in scope (the configuration's scope) or authorization_details (openid_credential). A cnf.jkt-bound token is taken with a DPoP proof of that key only. claimsSources keys: a configuration id or '*'. 400 unknown_credential_configuration, claims_source_invalid (a deferred source for a configuration that is not deferred), authorization_server_invalid.",
  params: pathParams,
  body: { required: true, schema: externalAuthorizationServerInput.meta({ examples: [example] }) },
  responses: {
    '200': answer('Replaced', authorizationServerResponse),
    '201': answer('Set (with the claims endpoint secret, shown once)', authorizationServerResponse),
    ...errors(400, 401, 404),
  },
})

export const getAuthorizationServer = operation({
  method: 'get',
  path: PATH,
  operationId: 'getAuthorizationServer',
  tags: ['Authorization'],
  summary: "The issuer's external authorization server (no secret)",
  params: pathParams,
  responses: { '200': answer('OK', authorizationServerResponse), ...errors(401, 404) },
})

export const deleteAuthorizationServer = operation({
  method: 'delete',
  path: PATH,
  operationId: 'deleteAuthorizationServer',
  tags: ['Authorization'],
  summary: "Remove it: its tokens are refused from then on, and the issuer's own server takes every request",
  params: pathParams,
  responses: { '204': { description: 'Removed' }, ...errors(401, 404) },
})

/** An issuer's external authorization server (docs/AUTHORIZATION.md). */
export const AUTHORIZATION_SERVER_OPERATIONS = [
  putAuthorizationServer,
  getAuthorizationServer,
  deleteAuthorizationServer,
]

/** A server as the API answers it: its claims-endpoint secret only when first set. */
export function authorizationServerView(server: ExternalAuthorizationServer, showSecret = false) {
  const { claimsEndpointSecret, ...view } = server
  return { ...view, ...(showSecret ? { claimsEndpointSecret } : {}) }
}

/** What the configuration cannot be for this issuer: 400 with a stable code. */
function refuseUnfit(profile: IssuerProfile, input: ExternalAuthorizationServerInput, credentialIssuer: string): void {
  if (input.issuer === credentialIssuer) {
    throw new DomainError(
      'authorization_server_invalid',
      'The external authorization server cannot be this issuer itself',
    )
  }
  for (const [key, source] of Object.entries(input.claimsSources)) {
    const configuration = key === '*' ? undefined : profile.configurations[key]
    if (key !== '*' && !configuration) {
      throw new DomainError(
        'unknown_credential_configuration',
        `claimsSources names '${key}', which is no credential configuration of this issuer`,
      )
    }
    if (source.type === 'deferred' && configuration && !configuration.deferred) {
      throw new DomainError(
        'claims_source_invalid',
        `Configuration '${key}' is not deferred: its claims cannot wait for approval`,
      )
    }
  }
}

/**
 * An issuer's external authorization server (docs/AUTHORIZATION.md): `PUT` sets it (201 the
 * first time, with the claims endpoint's signing secret, shown once), `GET` reads it, `DELETE`
 * removes it (its tokens are refused from then on, and the own server takes every request again).
 * Each change makes this instance's directory read the profile again; other instances see it
 * within ISSUER_METADATA_CACHE_SECONDS, metadata included.
 */
export function authorizationServerRoutes(credentialIssuerBaseUrl: string, directory: IssuerDirectory): BoundRoute[] {
  const put = putAuthorizationServer.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const input = putAuthorizationServer.body(request)
    const profile = await issuerProfiles.get(tenantContext, putAuthorizationServer.params(request).issuerId)
    refuseUnfit(profile, input, `${credentialIssuerBaseUrl}/${profile.issuerId}`)
    const existing = profile.authorizationServer
    const now = new Date().toISOString()
    profile.authorizationServer = {
      ...input,
      claimsEndpointSecret: existing?.claimsEndpointSecret ?? randomBytes(32).toString('base64url'),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    }
    await issuerProfiles.update(tenantContext, profile.issuerId, profile)
    directory.invalidate(profile.issuerId)
    response.status(existing ? 200 : 201).json(authorizationServerView(profile.authorizationServer, !existing))
  })

  const get = getAuthorizationServer.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const profile = await issuerProfiles.get(tenantContext, getAuthorizationServer.params(request).issuerId)
    if (!profile.authorizationServer) throw notSet()
    response.json(authorizationServerView(profile.authorizationServer))
  })

  const remove = deleteAuthorizationServer.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const profile = await issuerProfiles.get(tenantContext, deleteAuthorizationServer.params(request).issuerId)
    if (!profile.authorizationServer) throw notSet()
    delete profile.authorizationServer
    await issuerProfiles.update(tenantContext, profile.issuerId, profile)
    directory.invalidate(profile.issuerId)
    response.status(204).end()
  })

  return [put, get, remove]
}

const notSet = () =>
  new DomainError('authorization_server_not_found', 'This issuer has no external authorization server')

/** The issuers' external authorization servers. */
export const authorizationServerFeature = feature<{ credentialIssuerBaseUrl: string; issuers: IssuerDirectory }>({
  name: 'authorization servers',
  operations: AUTHORIZATION_SERVER_OPERATIONS,
  routes: ({ credentialIssuerBaseUrl, issuers }) => authorizationServerRoutes(credentialIssuerBaseUrl, issuers),
})
