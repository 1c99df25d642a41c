import type { DevelopmentCa } from '@attesto/protocol-kit'
import type { startService } from '@attesto/testing'
import type { IssuerRuntime } from '../../src/app.js'

type IssuerService = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

export const DOCTYPE = 'org.iso.18013.5.1.mDL'
export const MDL = 'org.iso.18013.5.1'
/** A namespace of the issuer's own, for the types the mDL namespace above does not use. */
export const REGISTRY = 'org.example.registry.1'

/** An mso_mdoc configuration: a driving licence with a few ISO data elements, and one of every other type. */
export const MDL_CONFIGURATION = {
  format: 'mso_mdoc',
  doctype: DOCTYPE,
  validitySeconds: 30 * 24 * 3600,
  display: [{ name: 'Driving licence', locale: 'en', background_color: '#12107c' }],
  namespaces: {
    [MDL]: [
      { name: 'family_name', type: 'string', required: true, display: [{ name: 'Family name', locale: 'en' }] },
      { name: 'given_name', type: 'string', required: true },
      { name: 'birth_date', type: 'full-date', required: true },
      { name: 'age_over_18', type: 'bool' },
      { name: 'portrait', type: 'bytes' },
    ],
    [REGISTRY]: [
      { name: 'enrolled_at', type: 'tdate' },
      { name: 'points', type: 'int' },
      { name: 'licence_number', type: 'uint' },
    ],
  },
}

export const PORTRAIT = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex')

/** Claims that fit {@link MDL_CONFIGURATION}, keyed by namespace and data element. */
export const MDL_CLAIMS = {
  [MDL]: {
    family_name: 'Mustermann',
    given_name: 'Erika',
    birth_date: '1984-08-12',
    age_over_18: true,
    portrait: PORTRAIT.toString('base64url'),
  },
  [REGISTRY]: { enrolled_at: '2026-09-01T08:00:00Z', points: -3, licence_number: 4711 },
}

/** A certificate signing request for the issuer's key, signed by `ca`, uploaded; answers the upload. */
export async function certify(service: IssuerService, key: string, issuerId: string, ca: DevelopmentCa) {
  const csr = await service.call('POST', `/issuers/${issuerId}/certificate-signing-request`, key, {
    commonName: 'Road Authority',
    country: 'NL',
    mdocDocumentSigner: true,
  })
  return service.call('PUT', `/issuers/${issuerId}/certificate`, key, { chain: await ca.issue(csr.body.csr) })
}

/**
 * Through the REST API: a tenant, a P-256 issuer whose document-signer certificate `ca` issued,
 * and the `mdl` configuration ({@link MDL_CONFIGURATION}), plus `extra` configurations.
 */
export async function mdocIssuer(service: IssuerService, ca: DevelopmentCa, extra: Record<string, object> = {}) {
  const key = (await service.call('POST', '/tenants', service.adminApiKey, { label: 'Road Authority' })).body
    .apiKey as string
  const issuerId = (await service.call('POST', '/issuers', key, {})).body.issuerId as string
  const uploaded = await certify(service, key, issuerId, ca)
  if (uploaded.status !== 200) throw new Error(`certificate: ${JSON.stringify(uploaded.body)}`)
  for (const [id, configuration] of Object.entries({ mdl: MDL_CONFIGURATION, ...extra })) {
    const saved = await service.call('PUT', `/issuers/${issuerId}/credential-configurations/${id}`, key, configuration)
    if (saved.status !== 200) throw new Error(`configuration ${id}: ${JSON.stringify(saved.body)}`)
  }
  return { key, issuerId, certificate: uploaded.body }
}
