import { type OpenApiPaths, openApi, pageAnswer } from '@attesto/agent-runtime'
import { z } from 'zod'
import { listWalletProvidersQuery, providerId, walletProviderInput } from './walletProviderRoutes.js'

const { json, answer, errors } = openApi

export const walletProviderResponse = z
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

/** The tenant's trusted wallet providers (attestation-based client authentication, docs/AUTHORIZATION.md). */
export const walletProviderOpenApiPaths: OpenApiPaths = {
  '/wallet-providers': {
    get: {
      operationId: 'listWalletProviders',
      tags: ['Wallet providers'],
      summary: 'The wallet providers the tenant trusts to attest wallets, page by page',
      requestParams: { query: listWalletProvidersQuery },
      responses: { '200': answer('OK', walletProviderPageResponse), ...errors(400, 401) },
    },
  },
  '/wallet-providers/{providerId}': {
    put: {
      operationId: 'putWalletProvider',
      tags: ['Wallet providers'],
      summary:
        "Trust a wallet provider: wallet attestations whose x5c chain leads to its CA certificate, or signed by its JWK, authenticate clients at the tenant's token endpoints (400 certificate_* when the certificate is not a CA in validity)",
      requestParams: { path: z.object({ providerId }) },
      requestBody: json(
        walletProviderInput.meta({
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
      ),
      responses: { '200': answer('Trusted', walletProviderResponse), ...errors(400, 401) },
    },
    get: {
      operationId: 'getWalletProvider',
      tags: ['Wallet providers'],
      summary: 'A trusted wallet provider',
      requestParams: { path: z.object({ providerId }) },
      responses: { '200': answer('OK', walletProviderResponse), ...errors(400, 401, 404) },
    },
    delete: {
      operationId: 'removeWalletProvider',
      tags: ['Wallet providers'],
      summary: 'Stop trusting a wallet provider: its attestations are refused (invalid_client) from then on',
      requestParams: { path: z.object({ providerId }) },
      responses: { '204': { description: 'Removed' }, ...errors(400, 401, 404) },
    },
  },
}
