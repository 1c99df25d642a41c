import { randomBytes } from 'node:crypto'
import { HttpError, type TenantRequestLocals } from '@attesto/agent-runtime'
import { Router } from 'express'
import {
  type ExternalAuthorizationServer,
  type ExternalAuthorizationServerInput,
  externalAuthorizationServerInput,
} from '../issuers/ExternalAuthorizationServer.js'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import { type IssuerProfile, issuerProfiles } from '../issuers/issuerProfiles.js'

/** A server as the API answers it: its claims-endpoint secret only when first set. */
export function authorizationServerView(server: ExternalAuthorizationServer, showSecret = false) {
  const { claimsEndpointSecret, ...view } = server
  return { ...view, ...(showSecret ? { claimsEndpointSecret } : {}) }
}

/** What the configuration cannot be for this issuer: 400 with a stable code. */
function refuseUnfit(profile: IssuerProfile, input: ExternalAuthorizationServerInput, credentialIssuer: string): void {
  if (input.issuer === credentialIssuer) {
    throw new HttpError(
      400,
      'authorization_server_invalid',
      'The external authorization server cannot be this issuer itself',
    )
  }
  for (const [key, source] of Object.entries(input.claimsSources)) {
    const configuration = key === '*' ? undefined : profile.configurations[key]
    if (key !== '*' && !configuration) {
      throw new HttpError(
        400,
        'unknown_credential_configuration',
        `claimsSources names '${key}', which is no credential configuration of this issuer`,
      )
    }
    if (source.type === 'deferred' && configuration && !configuration.deferred) {
      throw new HttpError(
        400,
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
export function authorizationServerRoutes(credentialIssuerBaseUrl: string, directory: IssuerDirectory): Router {
  const router = Router()
  const path = '/issuers/:issuerId/authorization-server'

  router.put(path, async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const input = externalAuthorizationServerInput.parse(request.body)
    const profile = await issuerProfiles.get(tenantContext, request.params.issuerId as string)
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

  router.get(path, async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const profile = await issuerProfiles.get(tenantContext, request.params.issuerId as string)
    if (!profile.authorizationServer) throw notSet()
    response.json(authorizationServerView(profile.authorizationServer))
  })

  router.delete(path, async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const profile = await issuerProfiles.get(tenantContext, request.params.issuerId as string)
    if (!profile.authorizationServer) throw notSet()
    delete profile.authorizationServer
    await issuerProfiles.update(tenantContext, profile.issuerId, profile)
    directory.invalidate(profile.issuerId)
    response.status(204).end()
  })

  return router
}

const notSet = () =>
  new HttpError(404, 'authorization_server_not_found', 'This issuer has no external authorization server')
