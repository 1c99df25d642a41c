import {
  type BoundRoute,
  documentListHandler,
  feature,
  openApi,
  operation,
  optionalBody,
  pageAnswer,
  pageQuery,
  type TenantRequestLocals,
} from '@attesto/agent-runtime'
import { parseTrustAnchor } from '@attesto/protocol-kit'
import { jwkThumbprint, publicKeyFromJwk } from '@attesto/protocol-kit/jose'
import type { RecordPages } from '@attesto/storage-service'
import { z } from 'zod'
import { type WalletProvider, walletProviders } from '../issuers/walletProviders.js'
import type { WalletProviderKeys } from '../protocol/clientAttestation/WalletProviderKeys.js'

const { answer, errors } = openApi

export const providerId = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, underscore and hyphen, at most 64')

const publicJwkInput = z
  .looseObject({
    kty: z.enum(['EC', 'OKP']),
    crv: z.enum(['P-256', 'P-384', 'Ed25519']),
    x: z.string().max(200),
    y: z.string().max(200).optional(),
    kid: z.string().max(200).optional(),
  })
  .refine((jwk) => !('d' in jwk), 'a public key: no "d"')
  .meta({ description: 'The public key the provider signs its wallet attestations with' })

const walletProviderInput = z
  .strictObject({
    certificate: z
      .string()
      .min(1)
      .max(16_384)
      .optional()
      .meta({ description: "A CA certificate (PEM or base64 DER) the attestations' x5c chains lead to" }),
    jwk: publicJwkInput.optional(),
    label: z.string().max(200).optional(),
  })
  .refine(
    (input) => (input.certificate === undefined) !== (input.jwk === undefined),
    'give certificate or jwk, not both',
  )

const listWalletProvidersQuery = pageQuery({})

const walletProviderResponse = z
  .object({
    providerId: z.string(),
    label: z.string().optional(),
    subject: z.string().optional().meta({ description: 'Of the trusted CA certificate' }),
    notAfter: z.string().optional(),
    sha256: z.string().optional().meta({ description: 'SHA-256 of the DER certificate, base64url' }),
    jwk: z.record(z.string(), z.unknown()).optional().meta({ description: 'The trusted public key' }),
    jkt: z.string().optional().meta({ description: 'RFC 7638 thumbprint of jwk' }),
  })
  .meta({
    id: 'WalletProvider',
    examples: [
      {
        providerId: 'example-wallet',
        label: 'Example Wallet provider',
        subject: 'CN=Example Wallet Provider CA, C=NL',
        notAfter: '2036-01-01T00:00:00.000Z',
        sha256: 'q1VpyfLhN3dzFmM3BZbU0Fr-7GSmT8dBvNI2E0qw-7M',
      },
    ],
  })

const walletProviderPageResponse = pageAnswer('walletProviders', walletProviderResponse, 'WalletProviderPage', {
  providerId: 'example-wallet',
  jkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
})

const TAGS = ['Wallet providers']
const providerPath = z.object({ providerId })

export const listWalletProviders = operation({
  method: 'get',
  path: '/wallet-providers',
  operationId: 'listWalletProviders',
  tags: TAGS,
  summary: 'The wallet providers the tenant trusts to attest wallets, page by page',
  query: listWalletProvidersQuery,
  responses: { '200': answer('OK', walletProviderPageResponse), ...errors(400, 401) },
})

export const putWalletProvider = operation({
  method: 'put',
  path: '/wallet-providers/{providerId}',
  operationId: 'putWalletProvider',
  tags: TAGS,
  summary:
    "Trust a wallet provider: wallet attestations whose x5c chain leads to its CA certificate, or signed by its JWK, authenticate clients at the tenant's token endpoints (400 certificate_* when the certificate is not a CA in validity)",
  params: providerPath,
  body: {
    schema: walletProviderInput.meta({
      examples: [
        { certificate: '-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----', label: 'Example Wallet' },
        {
          jwk: {
            kty: 'EC',
            crv: 'P-256',
            x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
            y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
          },
        },
      ],
    }),
  },
  responses: { '200': answer('Trusted', walletProviderResponse), ...errors(400, 401) },
})

export const getWalletProvider = operation({
  method: 'get',
  path: '/wallet-providers/{providerId}',
  operationId: 'getWalletProvider',
  tags: TAGS,
  summary: 'A trusted wallet provider',
  params: providerPath,
  responses: { '200': answer('OK', walletProviderResponse), ...errors(400, 401, 404) },
})

export const removeWalletProvider = operation({
  method: 'delete',
  path: '/wallet-providers/{providerId}',
  operationId: 'removeWalletProvider',
  tags: TAGS,
  summary: 'Stop trusting a wallet provider: its attestations are refused (invalid_client) from then on',
  params: providerPath,
  responses: { '204': { description: 'Removed' }, ...errors(400, 401, 404) },
})

/** The tenant's trusted wallet providers (attestation-based client authentication, docs/AUTHORIZATION.md). */
export const WALLET_PROVIDER_OPERATIONS = [
  listWalletProviders,
  putWalletProvider,
  getWalletProvider,
  removeWalletProvider,
]

/** What a wallet provider looks like in answers (the certificate itself is not repeated). */
export const walletProviderView = ({ certificate: _certificate, ...provider }: WalletProvider) => provider

async function providerDocument(id: string, input: z.output<typeof walletProviderInput>): Promise<WalletProvider> {
  const base = { providerId: id, ...(input.label ? { label: input.label } : {}) }
  if (input.certificate) {
    const { certificate, summary } = await parseTrustAnchor(input.certificate)
    return { ...base, certificate, subject: summary.subject, notAfter: summary.notAfter, sha256: summary.sha256 }
  }
  const { d: _private, ...jwk } = input.jwk as Record<string, unknown>
  try {
    publicKeyFromJwk(jwk)
  } catch (error) {
    throw new z.ZodError([{ code: 'custom', path: ['jwk'], message: (error as Error).message, input: jwk }])
  }
  return { ...base, jwk, jkt: jwkThumbprint(jwk) }
}

/**
 * The wallet providers the tenant trusts to attest wallets (attestation-based client
 * authentication at its issuers' token endpoints): by a CA certificate (attestations carry an
 * `x5c` chain to it) or by a public JWK. A change is seen at once by this instance, by others
 * within `ISSUER_METADATA_CACHE_SECONDS`.
 */
export function walletProviderRoutes(pages: RecordPages, keys: WalletProviderKeys): BoundRoute[] {
  const list = listWalletProviders.handle(
    documentListHandler({
      pages,
      store: walletProviders,
      list: 'wallet-providers',
      items: 'walletProviders',
      query: listWalletProvidersQuery,
      view: walletProviderView,
    }),
  )

  const put = putWalletProvider.handle(async (request, response) => {
    const { tenantContext, tenant } = response.locals as TenantRequestLocals
    const id = providerId.parse(request.params.providerId)
    const document = await providerDocument(id, optionalBody(putWalletProvider, request))
    await walletProviders.put(tenantContext, id, document)
    keys.invalidate(tenant.id)
    response.json(walletProviderView(document))
  })

  const get = getWalletProvider.handle(async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    response.json(
      walletProviderView(await walletProviders.get(tenantContext, providerId.parse(request.params.providerId))),
    )
  })

  const remove = removeWalletProvider.handle(async (request, response) => {
    const { tenantContext, tenant } = response.locals as TenantRequestLocals
    await walletProviders.remove(tenantContext, providerId.parse(request.params.providerId))
    keys.invalidate(tenant.id)
    response.status(204).end()
  })

  return [list, put, get, remove]
}

/** The wallet providers the tenant trusts, mounted last. */
export const walletProvidersFeature = feature<{ pages: RecordPages; walletProviderKeys: WalletProviderKeys }>({
  name: 'wallet providers',
  operations: WALLET_PROVIDER_OPERATIONS,
  routes: ({ pages, walletProviderKeys }) => walletProviderRoutes(pages, walletProviderKeys),
})
