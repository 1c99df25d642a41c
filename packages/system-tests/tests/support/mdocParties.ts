import { DevelopmentCa } from '@attesto/protocol-kit'
import type { startService } from '@attesto/testing'
import type { VerifierRuntime } from '@attesto/verifier'
import type { IssuerProcess } from './issuerProcess.js'

export const DOCTYPE = 'org.iso.18013.5.1.mDL'
export const MDL = 'org.iso.18013.5.1'

type VerifierService = Awaited<ReturnType<typeof startService<VerifierRuntime>>>

/**
 * Through the issuer process's REST API: a tenant, a P-256 issuer whose document-signer
 * certificate `iaca` issued, an mDL configuration (the family name labelled), and an offer of
 * Erika Mustermann's licence. Answers the offer's URI and id, and the tenant's API key.
 */
export async function mdocOffer(issuer: IssuerProcess, iaca: DevelopmentCa) {
  const admin = (await issuer.call('POST', '/tenants', issuer.adminApiKey, { label: 'Road Authority' })).body.apiKey
  const { issuerId } = (await issuer.call('POST', '/issuers', admin, {})).body
  const csr = await issuer.call('POST', `/issuers/${issuerId}/certificate-signing-request`, admin, {
    commonName: 'Road Authority DS',
    country: 'NL',
    mdocDocumentSigner: true,
  })
  const certified = await issuer.call('PUT', `/issuers/${issuerId}/certificate`, admin, {
    chain: await iaca.issue(csr.body.csr),
  })
  if (certified.status !== 200) throw new Error(`certificate: ${JSON.stringify(certified.body)}`)
  const configuration = await issuer.call('PUT', `/issuers/${issuerId}/credential-configurations/mdl`, admin, {
    format: 'mso_mdoc',
    doctype: DOCTYPE,
    validitySeconds: 30 * 24 * 3600,
    display: [{ name: 'Driving licence', locale: 'en' }],
    namespaces: {
      [MDL]: [
        ['family_name', 'string', [{ name: 'Family name', locale: 'en' }]],
        ['given_name', 'string'],
        ['birth_date', 'full-date'],
        ['age_over_18', 'bool'],
      ].map(([name, type, display]) => ({
        name,
        type,
        ...(name === 'age_over_18' ? {} : { required: true }),
        ...(display ? { display } : {}),
      })),
    },
  })
  if (configuration.status !== 200) throw new Error(`configuration: ${JSON.stringify(configuration.body)}`)
  const offer = await issuer.call('POST', '/offers', admin, {
    issuerId,
    credentialConfigurationId: 'mdl',
    claims: { [MDL]: { family_name: 'Mustermann', given_name: 'Erika', birth_date: '1984-08-12', age_over_18: true } },
  })
  if (offer.status !== 201) throw new Error(`offer: ${JSON.stringify(offer.body)}`)
  return { uri: offer.body.uri as string, offerId: offer.body.offerId as string, admin: admin as string }
}

/**
 * Through the verifier's REST API: a tenant and a verifier whose certificate a CA of relying
 * parties issued (for x509_hash requests), with `iaca` as its trust anchor `road-iaca`.
 */
export async function mdocVerifier(verifier: VerifierService, iaca: DevelopmentCa) {
  const verifierCa = await DevelopmentCa.create({ name: 'Relying Parties' })
  const key = (await verifier.call('POST', '/tenants', verifier.adminApiKey, { label: 'Car rental' })).body
    .apiKey as string
  const verifierId = (await verifier.call('POST', '/verifiers', key, {})).body.verifierId as string
  const csr = await verifier.call('POST', `/verifiers/${verifierId}/certificate-signing-request`, key, {
    commonName: 'Rental',
  })
  const chain = await verifierCa.issue(csr.body.csr)
  if ((await verifier.call('PUT', `/verifiers/${verifierId}/certificate`, key, { chain })).status !== 200) {
    throw new Error('verifier certificate refused')
  }
  const anchor = await verifier.call('PUT', '/trust-anchors/road-iaca', key, { certificate: iaca.rootBase64() })
  if (anchor.status !== 200) throw new Error('trust anchor refused')
  return { key, verifierId, verifierCa }
}

/** An x509_hash presentation request for the licence's `claims` (paths in the mDL namespace). */
export async function licenceRequest(
  verifier: VerifierService,
  parties: { key: string; verifierId: string },
  claims: object[],
) {
  const created = await verifier.call('POST', '/presentation-requests', parties.key, {
    verifierId: parties.verifierId,
    dcql: {
      query: {
        credentials: [{ id: 'licence', format: 'mso_mdoc', meta: { doctype_value: DOCTYPE }, claims }],
      },
    },
  })
  if (created.status !== 201) throw new Error(`request: ${JSON.stringify(created.body)}`)
  return created.body as { requestId: string; uri: string }
}

/** The verifier's result for a verified licence, its document signer under the `road-iaca` anchor. */
export const VERIFIED_LICENCE = {
  status: 'verified',
  credentials: [{ format: 'mso_mdoc', docType: DOCTYPE, issuerCertificate: { anchor: { anchorId: 'road-iaca' } } }],
}
