import { createHash } from 'node:crypto'
import type { Agent } from '@credo-ts/core'
import type { OpenId4VciResolvedCredentialOffer } from '@credo-ts/openid4vc'
import { CREDENTIAL_ISSUER_TAG, credentialMetadataOf, type WalletRecord } from '../credentials/WalletCredential.js'
import type { ClaimDisplay, IssuerDisplay, LocalizedDisplay } from '../display/displayTypes.js'
import { configurationDisplayOf, issuerDisplayOf } from '../display/metadataDisplay.js'
import type { TrustPolicy, TrustResult } from '../trust/TrustPolicy.js'
import { signerOf } from './receiveCredentials.js'

export const PRE_AUTHORIZED_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'

/** A credential the issuer offers, as the preview screen shows it. */
export interface OfferedCredential {
  configurationId: string
  /** `dc+sd-jwt` (`vc+sd-jwt` from draft-13 issuers), `mso_mdoc`, or another format this wallet cannot take yet. */
  format: string
  vct?: string
  /** The mdoc's document type (`mso_mdoc`). */
  doctype?: string
  /**
   * The issuer requires a key attestation for this credential (`key_attestations_required` of its
   * proof types, OID4VCI 1.0 §12.2.4), with the levels it accepts (empty: any): accepting it needs
   * a `keyAttestation` hook.
   */
  keyAttestationsRequired?: KeyAttestationLevels
  display: LocalizedDisplay[]
  claims: ClaimDisplay[]
}

/** Key storage and user authentication levels (OID4VCI 1.0 Appendix D.2), each list the values accepted. */
export interface KeyAttestationLevels {
  keyStorage?: string[]
  userAuthentication?: string[]
}

/** How the transaction code the issuer sends out of band looks (OID4VCI 1.0 §4.1.1 `tx_code`). */
export interface TransactionCodeSpec {
  inputMode: 'numeric' | 'text'
  length?: number
  description?: string
}

/** How the offer is redeemed. */
export type OfferGrant =
  | { type: 'pre-authorized_code'; transactionCode?: TransactionCodeSpec }
  | {
      type: 'authorization_code'
      /** The holder logs in at the issuer: `beginAuthorization` gives the URL to open, `acceptOffer` takes the redirect back. */
      supported: true
      issuerState?: string
      authorizationServer?: string
    }

/** A credential offer, read and checked but not accepted: the data of the preview screen. */
export interface ResolvedOffer {
  /** Identifies this offer in the wallet (a digest of it; never the pre-authorised code). */
  id: string
  /** The offer as received (accepting it later, after a restart, resolves it again from this). */
  offerUri: string
  issuer: {
    credentialIssuer: string
    display: IssuerDisplay[]
    /**
     * The issuer signs with a certificate chain or a DID that only the credential shows: when the
     * wallet holds an earlier credential of this issuer, the verdict on that one's signer (under
     * the current policy); otherwise `checked_on_receipt`. Every received credential is judged itself.
     */
    trust: TrustResult
    /** The earlier credential the preview's verdict rests on. */
    trustFrom?: { credentialId: string; receivedAt: string }
  }
  credentials: OfferedCredential[]
  grant: OfferGrant
}

type Json = Record<string, unknown>

function grantOf(offer: OpenId4VciResolvedCredentialOffer): OfferGrant {
  const grants = (offer.credentialOfferPayload.grants ?? {}) as Json
  const preAuthorized = grants[PRE_AUTHORIZED_CODE_GRANT] as Json | undefined
  if (preAuthorized) {
    const txCode = preAuthorized.tx_code as Json | undefined
    if (!txCode) return { type: 'pre-authorized_code' }
    return {
      type: 'pre-authorized_code',
      transactionCode: {
        inputMode: txCode.input_mode === 'text' ? 'text' : 'numeric',
        ...(typeof txCode.length === 'number' ? { length: txCode.length } : {}),
        ...(typeof txCode.description === 'string' ? { description: txCode.description.slice(0, 300) } : {}),
      },
    }
  }
  const code = (grants.authorization_code ?? {}) as Json
  return {
    type: 'authorization_code',
    supported: true,
    ...(typeof code.issuer_state === 'string' ? { issuerState: code.issuer_state } : {}),
    ...(typeof code.authorization_server === 'string' ? { authorizationServer: code.authorization_server } : {}),
  }
}

/** A digest that names the offer: its pre-authorised code (or the whole offer), hashed. */
export function offerDigest(offer: OpenId4VciResolvedCredentialOffer): string {
  const grants = (offer.credentialOfferPayload.grants ?? {}) as Json
  const code = (grants[PRE_AUTHORIZED_CODE_GRANT] as Json | undefined)?.['pre-authorized_code']
  const input = typeof code === 'string' ? code : JSON.stringify(offer.credentialOfferPayload)
  return createHash('sha256').update(input).digest('base64url').slice(0, 32)
}

const CHECKED_ON_RECEIPT: TrustResult = {
  trusted: false,
  code: 'checked_on_receipt',
  reason:
    'The issuer is new to this wallet: its certificate chain or DID is in the credential, and is checked when the credential arrives, before it is stored',
}

/** The preview's trust verdict: from the newest credential of this issuer in the wallet, if any. */
async function previewTrust(agent: Agent, policy: TrustPolicy, credentialIssuer: string) {
  const query = { [CREDENTIAL_ISSUER_TAG]: credentialIssuer }
  const earlier: WalletRecord[] = [
    ...(await agent.sdJwtVc.findAllByQuery(query)),
    ...(await agent.mdoc.findAllByQuery(query)),
  ]
  const newest = earlier.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0]
  if (!newest) return { trust: CHECKED_ON_RECEIPT }
  const trust = await policy.evaluate('issuer', signerOf(newest))
  const receivedAt = credentialMetadataOf(newest)?.receivedAt ?? newest.createdAt.toISOString()
  return { trust, trustFrom: { credentialId: newest.id, receivedAt } }
}

/** What a configuration's proof types require of key attestations (`key_attestations_required`), if anything. */
function keyAttestationsOf(configuration: Json): { keyAttestationsRequired?: KeyAttestationLevels } {
  const proofTypes = (configuration.proof_types_supported ?? {}) as Record<string, Json>
  const required = proofTypes.jwt?.key_attestations_required ?? proofTypes.attestation?.key_attestations_required
  if (typeof required !== 'object' || required === null) return {}
  const levels = (value: unknown) => (Array.isArray(value) ? value.map(String) : undefined)
  const keyStorage = levels((required as Json).key_storage)
  const userAuthentication = levels((required as Json).user_authentication)
  return {
    keyAttestationsRequired: {
      ...(keyStorage ? { keyStorage } : {}),
      ...(userAuthentication ? { userAuthentication } : {}),
    },
  }
}

/** The preview of an offer Credo resolved (the offer and the issuer's metadata). */
export async function describeOffer(
  agent: Agent,
  policy: TrustPolicy,
  offerUri: string,
  offer: OpenId4VciResolvedCredentialOffer,
): Promise<ResolvedOffer> {
  const credentialIssuer = offer.metadata.credentialIssuer
  const supported = (credentialIssuer.credential_configurations_supported ?? {}) as Record<string, Json>
  const credentials = (offer.credentialOfferPayload.credential_configuration_ids ?? []).map((configurationId) => {
    const configuration = supported[configurationId] ?? {}
    return {
      configurationId,
      format: String(configuration.format ?? 'unknown'),
      ...(typeof configuration.vct === 'string' ? { vct: configuration.vct } : {}),
      ...(typeof configuration.doctype === 'string' ? { doctype: configuration.doctype } : {}),
      ...keyAttestationsOf(configuration),
      ...configurationDisplayOf(configuration),
    }
  })
  return {
    id: offerDigest(offer),
    offerUri,
    issuer: {
      credentialIssuer: credentialIssuer.credential_issuer,
      display: issuerDisplayOf(credentialIssuer.display),
      ...(await previewTrust(agent, policy, credentialIssuer.credential_issuer)),
    },
    credentials,
    grant: grantOf(offer),
  }
}
