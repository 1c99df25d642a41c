import { documentListHandler, pageQuery, type TenantRequestLocals } from '@attesto/agent-runtime'
import { parseTrustAnchor } from '@attesto/protocol-kit'
import { jwkThumbprint, publicKeyFromJwk } from '@attesto/protocol-kit/jose'
import type { RecordPages } from '@attesto/storage-service'
import { Router } from 'express'
import { z } from 'zod'
import { type WalletProvider, walletProviders } from '../issuers/walletProviders.js'
import type { WalletProviderKeys } from '../protocol/clientAttestation/WalletProviderKeys.js'

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

export const walletProviderInput = z
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

export const listWalletProvidersQuery = pageQuery({})

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
export function walletProviderRoutes(pages: RecordPages, keys: WalletProviderKeys): Router {
  const router = Router()

  router.get(
    '/wallet-providers',
    documentListHandler({
      pages,
      store: walletProviders,
      list: 'wallet-providers',
      items: 'walletProviders',
      query: listWalletProvidersQuery,
      view: walletProviderView,
    }),
  )

  router.put('/wallet-providers/:providerId', async (request, response) => {
    const { tenantContext, tenant } = response.locals as TenantRequestLocals
    const id = providerId.parse(request.params.providerId)
    const document = await providerDocument(id, walletProviderInput.parse(request.body ?? {}))
    await walletProviders.put(tenantContext, id, document)
    keys.invalidate(tenant.id)
    response.json(walletProviderView(document))
  })

  router.get('/wallet-providers/:providerId', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    response.json(
      walletProviderView(await walletProviders.get(tenantContext, providerId.parse(request.params.providerId))),
    )
  })

  router.delete('/wallet-providers/:providerId', async (request, response) => {
    const { tenantContext, tenant } = response.locals as TenantRequestLocals
    await walletProviders.remove(tenantContext, providerId.parse(request.params.providerId))
    keys.invalidate(tenant.id)
    response.status(204).end()
  })

  return router
}
