import { TenantDocumentStore } from '@attesto/agent-runtime'
import { DomainError } from '@attesto/protocol-kit'
import type { AgentContext } from '@credo-ts/core'
import { z } from 'zod'
import type { SameDeviceBinding } from './VerificationSession.js'

/** The frontend pages a verifier's same-device requests may send the browser back to. */
export interface VerifierRedirectUris {
  verifierId: string
  redirectUris: string[]
}

export const verifierRedirectUris = new TenantDocumentStore<VerifierRedirectUris>(
  'verifier-redirect-uris',
  'redirect_uris_not_found',
  'redirect URIs',
)

export const MAX_REDIRECT_URIS = 10
const MAX_REDIRECT_URI_LENGTH = 2_000
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Why `value` cannot be a redirect URI, or undefined: an absolute `https` URL without user
 * information or fragment (the response code goes in the fragment); `http` only for a loopback
 * host, and only when `allowHttpLoopback` (a verifier that itself runs on http: development).
 */
export function redirectUriProblem(value: string, allowHttpLoopback: boolean): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'not an absolute URL'
  }
  if (url.username || url.password) return 'must not carry user information'
  if (value.includes('#')) return 'must not have a fragment (the response code is added as one)'
  if (url.protocol === 'https:') return undefined
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) {
    return allowHttpLoopback
      ? undefined
      : 'http is accepted only for localhost while the verifier itself runs on http (development)'
  }
  return 'must be https (http only for localhost, in development)'
}

/** A redirect URI, validated and normalised (`URL.href`): allow-lists and requests compare these exactly. */
export function redirectUri(allowHttpLoopback: boolean) {
  return z
    .string()
    .max(MAX_REDIRECT_URI_LENGTH)
    .superRefine((value, context) => {
      const problem = redirectUriProblem(value, allowHttpLoopback)
      if (problem) context.addIssue({ code: 'custom', message: `redirect URI ${problem}` })
    })
    .transform((value) => new URL(value).href)
}

/**
 * The same-device binding of a new request, or undefined for the cross-device flow. Its redirect
 * URI is `redirectUri` when that is one of the verifier's redirect URIs (exactly, once
 * normalised), or the verifier's first one when none is asked. No open redirect: a URI the tenant
 * did not list for the verifier is refused.
 */
export async function sameDeviceBinding(
  tenantContext: AgentContext,
  verifierId: string,
  asked: { flow: 'cross_device' | 'same_device'; redirectUri?: string | undefined },
  allowHttpLoopback: boolean,
): Promise<SameDeviceBinding | undefined> {
  if (asked.flow === 'cross_device') {
    if (asked.redirectUri === undefined) return undefined
    throw new DomainError('invalid_request', "redirectUri is for the same-device flow: add flow 'same_device'")
  }
  const allowed = (await verifierRedirectUris.find(tenantContext, verifierId))?.redirectUris ?? []
  if (allowed.length === 0) {
    throw new DomainError(
      'redirect_uri_not_configured',
      `Verifier '${verifierId}' has no redirect URIs: PUT /verifiers/${verifierId}/redirect-uris first`,
    )
  }
  if (asked.redirectUri === undefined) return { redirectUri: allowed[0] as string }
  const parsed = redirectUri(allowHttpLoopback).safeParse(asked.redirectUri)
  if (!parsed.success || !allowed.includes(parsed.data)) {
    throw new DomainError(
      'redirect_uri_not_allowed',
      `redirectUri is not one of the redirect URIs of verifier '${verifierId}' (GET /verifiers/${verifierId}/redirect-uris)`,
    )
  }
  return { redirectUri: parsed.data }
}
