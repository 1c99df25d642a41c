import { randomUUID } from 'node:crypto'
import {
  type BoundRoute,
  certificateView,
  feature,
  openApi,
  operation,
  optionalBody,
  type TenantRequestLocals,
  TenantsApi,
  withIdempotency,
} from '@attesto/agent-runtime'
import { DomainError } from '@attesto/protocol-kit'
import { DidsApi, Kms } from '@credo-ts/core'
import { z } from 'zod'
import { batchSizeInput, batchSizeOf } from '../issuers/batchIssuance.js'
import { configurationIdInput, scopeOf } from '../issuers/configurationParts.js'
import {
  credentialConfigurationBody,
  credentialConfigurationInput,
  displayInput,
} from '../issuers/credentialConfiguration.js'
import type { IssuerDirectory } from '../issuers/IssuerDirectory.js'
import { type IssuerProfile, issuerProfiles } from '../issuers/issuerProfiles.js'
import { mdocSignerProblem } from '../issuers/mdocSigner.js'
import { clientAttestationInput, clientAttestationOf, dpopInput, dpopOf } from '../issuers/senderConstraints.js'
import { credentialConfigurationResponse, type IssuerResponse, issuerResponse } from './responses.js'

const { answer, errors, idempotencyKey } = openApi

const createIssuerInput = z.strictObject({
  didMethod: z.enum(['jwk', 'key']).default('jwk'),
  keyType: z.enum(['P-256', 'Ed25519']).default('P-256'),
  display: displayInput.optional(),
  batchSize: batchSizeInput.optional(),
  dpop: dpopInput.optional(),
  clientAttestation: clientAttestationInput.optional(),
})

const updateIssuerInput = z
  .strictObject({
    display: displayInput.optional(),
    batchSize: batchSizeInput.optional(),
    dpop: dpopInput.optional(),
    clientAttestation: clientAttestationInput.optional(),
  })
  .refine((input) => Object.values(input).some((value) => value !== undefined), 'give at least one setting')

const KEY_TYPES = { 'P-256': { kty: 'EC', crv: 'P-256' }, Ed25519: { kty: 'OKP', crv: 'Ed25519' } } as const

/** An issuer as the API shows it. */
export function issuerView(profile: IssuerProfile, credentialIssuerBaseUrl: string): IssuerResponse {
  return {
    issuerId: profile.issuerId,
    did: profile.did,
    credentialIssuer: `${credentialIssuerBaseUrl}/${profile.issuerId}`,
    credentialConfigurations: Object.values(profile.configurations),
    batchSize: batchSizeOf(profile),
    dpop: dpopOf(profile),
    clientAttestation: clientAttestationOf(profile),
    ...(profile.display ? { display: profile.display } : {}),
    ...(profile.certificate ? { certificate: certificateView(profile.certificate) } : {}),
  }
}

/** One scope value selects one configuration of an issuer (HAIP §4.3): another's scope is `409 scope_in_use`. */
function refuseSharedScope(profile: IssuerProfile, configuration: { id: string; scope?: string | undefined }): void {
  const sharing = Object.values(profile.configurations).find(
    (other) => other.id !== configuration.id && scopeOf(other) === scopeOf(configuration),
  )
  if (sharing) {
    throw new DomainError(
      'scope_in_use',
      `Configuration '${sharing.id}' has the scope '${scopeOf(configuration)}': one scope selects one configuration`,
    )
  }
}

const issuerPath = z.object({ issuerId: z.string() })
const display = [{ name: 'University of Examples', locale: 'en', logo: { uri: 'https://university.example/logo.png' } }]

export const createIssuer = operation({
  method: 'post',
  path: '/issuers',
  operationId: 'createIssuer',
  tags: ['Issuers'],
  summary: 'Create an issuer identity: a key in the issuer KMS, a did:jwk or did:key, an OID4VCI credential issuer',
  parameters: [idempotencyKey],
  body: {
    schema: createIssuerInput.meta({ examples: [{ didMethod: 'jwk', keyType: 'P-256', display, batchSize: 10 }] }),
  },
  responses: { '201': answer('Created', issuerResponse), ...errors(400, 401, 409, 422, 503) },
})

export const getIssuer = operation({
  method: 'get',
  path: '/issuers/{issuerId}',
  operationId: 'getIssuer',
  tags: ['Issuers'],
  summary: 'An issuer identity and its credential configurations',
  params: issuerPath,
  responses: { '200': answer('OK', issuerResponse), ...errors(401, 404) },
})

export const updateIssuer = operation({
  method: 'patch',
  path: '/issuers/{issuerId}',
  operationId: 'updateIssuer',
  tags: ['Issuers'],
  summary:
    'Change how wallets show the issuer (name, logo, per locale), its batch size, and what its token endpoint requires of wallets (DPoP, wallet attestation)',
  description:
    "batchSize above 1 turns on OID4VCI batch issuance: a credential request may carry that many proofs and gets one credential per proof; the metadata then advertises batch_credential_issuance (other instances within ISSUER_METADATA_CACHE_SECONDS). dpop 'required' refuses token requests without a DPoP proof (every token DPoP-bound); clientAttestation 'required' refuses public clients (docs/AUTHORIZATION.md).",
  params: issuerPath,
  body: {
    required: true,
    schema: updateIssuerInput.meta({
      examples: [{ display }, { batchSize: 10 }, { dpop: 'required', clientAttestation: 'required' }],
    }),
  },
  responses: { '200': answer('OK', issuerResponse), ...errors(400, 401, 404) },
})

const sdJwtVcExample = {
  vct: 'https://university.example/credentials/diploma',
  display: [{ name: 'Diploma', locale: 'en', background_color: '#003366', text_color: '#ffffff' }],
  claims: [
    { name: 'given_name', type: 'string', required: true },
    { name: 'degree', type: 'string', required: true },
    { name: 'graduated_on', type: 'date' },
    { name: 'honours', type: 'boolean', selectivelyDisclosable: false },
  ],
}

const mdocExample = {
  format: 'mso_mdoc',
  doctype: 'org.iso.18013.5.1.mDL',
  validitySeconds: 2592000,
  display: [{ name: 'Driving licence', locale: 'en' }],
  namespaces: {
    'org.iso.18013.5.1': [
      { name: 'family_name', type: 'string', required: true },
      { name: 'birth_date', type: 'full-date', required: true },
      { name: 'age_over_18', type: 'bool' },
      { name: 'portrait', type: 'bytes' },
    ],
  },
}

export const putCredentialConfiguration = operation({
  method: 'put',
  path: '/issuers/{issuerId}/credential-configurations/{configurationId}',
  operationId: 'putCredentialConfiguration',
  tags: ['Credential configurations'],
  summary:
    'Define (or replace) a credential configuration: an SD-JWT VC (vct, claims, which are selectively disclosable) or an ISO mdoc (format mso_mdoc: doctype, data elements per namespace)',
  description:
    'An mso_mdoc configuration needs an issuer with a P-256 key (400 issuer_key_unsupported) and its document-signer certificate, issued by a CA that names its country (409 certificate_required, certificate_country_missing); it cannot be revocable (docs/MDOC.md). scope (default the configuration id) selects the configuration in the authorization code flow; another configuration of the issuer with the same scope is 409 scope_in_use (docs/AUTHORIZATION.md).',
  params: z.object({ issuerId: z.string(), configurationId: configurationIdInput }),
  body: {
    required: true,
    schema: credentialConfigurationBody.meta({
      id: 'CredentialConfigurationInput',
      description: 'The configuration; its id is the path parameter',
      examples: [sdJwtVcExample, mdocExample],
    }),
  },
  responses: { '200': answer('Saved', credentialConfigurationResponse), ...errors(400, 401, 404, 409) },
})

/** Issuer identities and their credential configurations. */
export const ISSUER_OPERATIONS = [createIssuer, getIssuer, updateIssuer, putCredentialConfiguration]

/**
 * Issuer identities (a key in the tenant's KMS, a did:jwk or did:key, an issuer id routed to the
 * tenant) and their credential configurations. Every route runs in the caller's tenant context.
 */
export function issuerRoutes(credentialIssuerBaseUrl: string, directory: IssuerDirectory): BoundRoute[] {
  const create = createIssuer.handle(async (request, response) => {
    const { tenantContext, tenant } = response.locals as TenantRequestLocals
    // A bare POST (no body) makes a default issuer.
    const input = optionalBody(createIssuer, request)
    // The issuer id is chosen when the key is reserved: a retry that takes the key over finds the
    // identity made before (a crash before its profile was saved leaves an unused key in the KMS).
    const result = await withIdempotency(
      tenantContext,
      request,
      async (issuerId = randomUUID()) => {
        let profile = await issuerProfiles.find(tenantContext, issuerId)
        if (!profile) {
          const kms = tenantContext.dependencyManager.resolve(Kms.KeyManagementApi)
          const { keyId } = await kms.createKey({ type: KEY_TYPES[input.keyType] })
          const { didState } = await tenantContext.dependencyManager
            .resolve(DidsApi)
            .create({ method: input.didMethod, options: { keyId } })
          const did = didState.did as string
          const didUrl = didState.didDocument?.verificationMethod?.[0]?.id as string
          profile = {
            issuerId,
            did,
            didUrl,
            keyId,
            configurations: {},
            ...(input.display ? { display: input.display } : {}),
            ...(input.batchSize && input.batchSize > 1 ? { batchSize: input.batchSize } : {}),
            ...(input.dpop ? { dpop: input.dpop } : {}),
            ...(input.clientAttestation ? { clientAttestation: input.clientAttestation } : {}),
          }
          await issuerProfiles.save(tenantContext, issuerId, profile)
        }
        await tenantContext.dependencyManager.resolve(TenantsApi).addActorId(tenant.id, issuerId)
        return { status: 201, body: issuerView(profile, credentialIssuerBaseUrl) }
      },
      { prepare: () => randomUUID() },
    )
    response.status(result.status).json(result.body)
  })

  const get = getIssuer.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const { issuerId } = getIssuer.params(request)
    response.json(issuerView(await issuerProfiles.get(tenantContext, issuerId), credentialIssuerBaseUrl))
  })

  const update = updateIssuer.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const { display, batchSize, dpop, clientAttestation } = updateIssuer.body(request)
    const profile = await issuerProfiles.get(tenantContext, updateIssuer.params(request).issuerId)
    if (display) profile.display = display
    if (batchSize !== undefined) profile.batchSize = batchSize
    if (dpop) profile.dpop = dpop
    if (clientAttestation) profile.clientAttestation = clientAttestation
    await issuerProfiles.update(tenantContext, profile.issuerId, profile)
    directory.invalidate(profile.issuerId)
    response.json(issuerView(profile, credentialIssuerBaseUrl))
  })

  const putConfiguration = putCredentialConfiguration.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    // The path's id is checked as the configuration's, with the body (`id` in the answer's details).
    const configuration = credentialConfigurationInput.parse({ ...request.body, id: request.params.configurationId })
    const profile = await issuerProfiles.get(tenantContext, request.params.issuerId as string)
    // An mdoc is signed under the issuer's document-signer certificate: refused now, not at issuance.
    const unfit = configuration.format === 'mso_mdoc' ? mdocSignerProblem(profile) : undefined
    if (unfit) throw unfit
    refuseSharedScope(profile, configuration)
    profile.configurations[configuration.id] = configuration
    await issuerProfiles.update(tenantContext, profile.issuerId, profile)
    directory.invalidate(profile.issuerId)
    response.json(configuration)
  })

  return [create, get, update, putConfiguration]
}

/** Issuer identities and their credential configurations, after the management routes. */
export const issuersFeature = feature<{ credentialIssuerBaseUrl: string; issuers: IssuerDirectory }>({
  name: 'issuers',
  tags: [
    ['Issuers', 'Issuer identities: a key, a DID, an OID4VCI credential issuer'],
    ['Credential configurations', 'What an issuer issues: an SD-JWT VC type and its claims'],
  ],
  operations: ISSUER_OPERATIONS,
  routes: ({ credentialIssuerBaseUrl, issuers }) => issuerRoutes(credentialIssuerBaseUrl, issuers),
})
