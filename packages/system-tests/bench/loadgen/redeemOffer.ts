import { HolderKey } from './HolderKey.js'
import { check, type ProtocolNotes } from './ProtocolNotes.js'
import type { StepClient } from './StepClient.js'
import { checkIssuedSdJwtVc, type SdJwtVc } from './sdJwtVc.js'

const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'

export interface OfferToRedeem {
  /** The `openid-credential-offer://` URI. */
  uri: string
  /** The transaction code the holder got out of band. */
  txCode?: string
  /** What the credential must carry. */
  vct: string
  claims: Record<string, unknown>
  /** The CA certificate (PEM) the wallet trusts for issuers that sign with `x5c`. */
  trustAnchor?: string
}

/** The RFC 8414 / OID4VCI well-known URL of `identifier` (the well-known part goes before the path). */
export function wellKnownUrl(identifier: string, suffix: string): string {
  const url = new URL(identifier)
  return `${url.origin}/.well-known/${suffix}${url.pathname === '/' ? '' : url.pathname}`
}

const noStore = (headers: Record<string, string | string[] | undefined>) =>
  String(headers['cache-control'] ?? '').includes('no-store')

/**
 * A wallet's OID4VCI 1.0 pre-authorised issuance of one `dc+sd-jwt`, as plain HTTP: the offer by
 * reference, the issuer's and the authorisation server's metadata (discovered, not assumed), the
 * token (with `tx_code`), a `c_nonce` from the nonce endpoint, and the credential request with a
 * `jwt` proof of a new P-256 key (`jwk` header). The credential is checked before it is returned.
 */
export async function redeemOffer(client: StepClient, notes: ProtocolNotes, offer: OfferToRedeem): Promise<SdJwtVc> {
  const offerUrl = new URL(offer.uri)
  check(offerUrl.protocol === 'openid-credential-offer:', 'offer', `not an offer URI: ${offer.uri}`)
  const reference = offerUrl.searchParams.get('credential_offer_uri')
  const credentialOffer = reference
    ? await client.json('GET credential offer', reference)
    : JSON.parse(offerUrl.searchParams.get('credential_offer') ?? 'null')
  const step = 'GET credential offer'
  check(typeof credentialOffer?.credential_issuer === 'string', step, 'no credential_issuer')
  const [configurationId, ...more] = credentialOffer.credential_configuration_ids ?? []
  check(typeof configurationId === 'string' && more.length === 0, step, 'expected one credential_configuration_id')
  const grant = credentialOffer.grants?.[PRE_AUTHORIZED_GRANT]
  check(typeof grant?.['pre-authorized_code'] === 'string', step, 'no pre-authorized_code grant')
  check(Boolean(grant.tx_code) === Boolean(offer.txCode), step, 'tx_code in the offer does not match the REST answer')
  if (grant.tx_code) {
    check(grant.tx_code.length === offer.txCode?.length, step, `tx_code.length ${grant.tx_code.length} is wrong`)
  }

  const issuer: string = credentialOffer.credential_issuer
  const metadata = await client.json('GET issuer metadata', wellKnownUrl(issuer, 'openid-credential-issuer'))
  check(metadata.credential_issuer === issuer, 'GET issuer metadata', 'credential_issuer differs from the offer')
  const configuration = metadata.credential_configurations_supported?.[configurationId]
  check(configuration?.format === 'dc+sd-jwt', 'GET issuer metadata', `no dc+sd-jwt ${configurationId}`)
  check(configuration.vct === offer.vct, 'GET issuer metadata', `vct is ${configuration.vct}`)
  check(
    configuration.proof_types_supported?.jwt?.proof_signing_alg_values_supported?.includes('ES256') &&
      configuration.cryptographic_binding_methods_supported?.includes('jwk'),
    'GET issuer metadata',
    'ES256 jwt proofs of a jwk binding are not supported',
  )
  check(typeof metadata.credential_endpoint === 'string', 'GET issuer metadata', 'no credential_endpoint')
  check(typeof metadata.nonce_endpoint === 'string', 'GET issuer metadata', 'no nonce_endpoint')
  notes.expect(!metadata.credentials_supported, 'GET issuer metadata', 'also carries draft-11 credentials_supported')

  const authorizationServer: string = metadata.authorization_servers?.[0] ?? issuer
  const asStep = 'GET authorisation-server metadata'
  const asMetadata = await client.json(asStep, wellKnownUrl(authorizationServer, 'oauth-authorization-server'))
  check(asMetadata.issuer === authorizationServer, asStep, `issuer is ${asMetadata.issuer}`)
  check(typeof asMetadata.token_endpoint === 'string', asStep, 'no token_endpoint')
  notes.expect(
    asMetadata.grant_types_supported?.includes(PRE_AUTHORIZED_GRANT),
    asStep,
    'grant_types_supported lacks the pre-authorized_code grant',
  )

  const tokenResponse = await client.send('POST token', asMetadata.token_endpoint, {
    form: {
      grant_type: PRE_AUTHORIZED_GRANT,
      'pre-authorized_code': grant['pre-authorized_code'],
      ...(offer.txCode ? { tx_code: offer.txCode } : {}),
    },
  })
  const token = JSON.parse(tokenResponse.text)
  check(typeof token.access_token === 'string', 'POST token', 'no access_token')
  check(String(token.token_type).toLowerCase() === 'bearer', 'POST token', `token_type ${token.token_type}`)
  notes.expect(noStore(tokenResponse.headers), 'POST token', 'no Cache-Control: no-store (RFC 6749 §5.1)')

  const nonceResponse = await client.send('POST nonce', metadata.nonce_endpoint, { method: 'POST' })
  const { c_nonce: nonce } = JSON.parse(nonceResponse.text)
  check(typeof nonce === 'string', 'POST nonce', 'no c_nonce')
  notes.expect(noStore(nonceResponse.headers), 'POST nonce', 'no Cache-Control: no-store (OID4VCI 1.0 §7.2)')

  const holderKey = new HolderKey()
  const proof = holderKey.sign(
    { typ: 'openid4vci-proof+jwt', jwk: holderKey.publicJwk },
    { aud: issuer, iat: Math.floor(Date.now() / 1000), nonce },
  )
  const answer = await client.json('POST credential', metadata.credential_endpoint, {
    headers: { authorization: `Bearer ${token.access_token}` },
    json: { credential_configuration_id: configurationId, proofs: { jwt: [proof] } },
  })
  const [issued, ...extra] = answer.credentials ?? []
  check(typeof issued?.credential === 'string' && extra.length === 0, 'POST credential', 'expected one credential')
  return checkIssuedSdJwtVc('POST credential', issued.credential, { ...offer, holderKey })
}
