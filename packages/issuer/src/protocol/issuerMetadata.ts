import { PROOF_OF_POSSESSION_ALGORITHMS } from '@attesto/protocol-kit/jose'
import { PRE_AUTHORIZED_CODE_GRANT } from '../issuance/IssuanceSession.js'
import { batchSizeOf } from '../issuers/batchIssuance.js'
import { scopeOf } from '../issuers/configurationParts.js'
import type {
  CredentialConfiguration,
  MdocConfiguration,
  SdJwtVcConfiguration,
} from '../issuers/credentialConfiguration.js'
import { authorizationServersOf } from '../issuers/ExternalAuthorizationServer.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import { keyAttestationsRequiredMetadata } from '../issuers/keyAttestationRequirement.js'
import { clientAttestationOf } from '../issuers/senderConstraints.js'

/** Holder proof algorithms the credential endpoint verifies. */
export const PROOF_ALGORITHMS = ['ES256', 'EdDSA']

/** COSE algorithm identifier of ES256 (RFC 9053): how OID4VCI 1.0 A.2.2 names an mdoc's signing algorithm. */
const COSE_ES256 = -7

/**
 * The proof types a configuration takes (OID4VCI 1.0 Appendix F): `jwt`, with or without a
 * `key_attestation` header, and `attestation` (a key attestation alone, Appendix D), each with
 * the configuration's `key_attestations_required` when it demands attested keys.
 */
function proofTypesSupported(configuration: CredentialConfiguration, algorithms: string[]) {
  const requirement = configuration.keyAttestationsRequired
  const required = requirement ? { key_attestations_required: keyAttestationsRequiredMetadata(requirement) } : {}
  return {
    jwt: { proof_signing_alg_values_supported: algorithms, ...required },
    attestation: { proof_signing_alg_values_supported: algorithms, ...required },
  }
}

function sdJwtVcMetadata(issuer: ResolvedIssuer, configuration: SdJwtVcConfiguration) {
  return {
    format: 'dc+sd-jwt',
    vct: configuration.vct,
    cryptographic_binding_methods_supported: ['jwk', 'did:key', 'did:jwk'],
    credential_signing_alg_values_supported: [issuer.alg],
    proof_types_supported: proofTypesSupported(configuration, PROOF_ALGORITHMS),
    credential_metadata: {
      ...(configuration.display ? { display: configuration.display } : {}),
      claims: configuration.claims.map((claim) => ({
        path: [claim.name],
        mandatory: claim.required,
        ...(claim.display ? { display: claim.display } : {}),
      })),
    },
  }
}

/**
 * OID4VCI 1.0 Appendix A.2.2: the doctype, ES256 as a COSE algorithm, the device key as a
 * COSE_Key from a P-256 `jwt` proof, and one claim description per data element with the path
 * `[namespace, element]`.
 */
function mdocMetadata(configuration: MdocConfiguration) {
  return {
    format: 'mso_mdoc',
    doctype: configuration.doctype,
    cryptographic_binding_methods_supported: ['cose_key'],
    credential_signing_alg_values_supported: [COSE_ES256],
    proof_types_supported: proofTypesSupported(configuration, ['ES256']),
    credential_metadata: {
      ...(configuration.display ? { display: configuration.display } : {}),
      claims: Object.entries(configuration.namespaces).flatMap(([namespace, elements]) =>
        elements.map((element) => ({
          path: [namespace, element.name],
          mandatory: element.required,
          ...(element.display ? { display: element.display } : {}),
        })),
      ),
    },
  }
}

const configurationMetadata = (issuer: ResolvedIssuer, configuration: CredentialConfiguration) => ({
  ...(configuration.format === 'mso_mdoc' ? mdocMetadata(configuration) : sdJwtVcMetadata(issuer, configuration)),
  scope: scopeOf(configuration),
})

/**
 * The credential issuer metadata (OID4VCI 1.0 §12.2): only what is built. Each configuration
 * says the one algorithm this issuer's key signs with, and carries its display and claim
 * descriptions (`credential_metadata`) so wallets show a named, styled card. Batch issuance is
 * advertised when the issuer's batch size is above 1 (the specification requires at least 2).
 * With an external authorization server, `authorization_servers` names it (and this issuer's own
 * while it is kept beside it).
 */
export function credentialIssuerMetadata(issuer: ResolvedIssuer) {
  const base = issuer.credentialIssuer
  const configurations = Object.values(issuer.profile.configurations)
  const batchSize = batchSizeOf(issuer.profile)
  const authorizationServers = authorizationServersOf(issuer.profile, base)
  return {
    credential_issuer: base,
    ...(authorizationServers ? { authorization_servers: authorizationServers } : {}),
    credential_endpoint: `${base}/credential`,
    ...(issuer.profile.display ? { display: issuer.profile.display } : {}),
    nonce_endpoint: `${base}/nonce`,
    ...(configurations.some((configuration) => configuration.deferred)
      ? { deferred_credential_endpoint: `${base}/deferred-credential` }
      : {}),
    notification_endpoint: `${base}/notification`,
    ...(batchSize > 1 ? { batch_credential_issuance: { batch_size: batchSize } } : {}),
    credential_configurations_supported: Object.fromEntries(
      configurations.map((configuration) => [configuration.id, configurationMetadata(issuer, configuration)]),
    ),
  }
}

/**
 * The authorisation server metadata (RFC 8414): the pre-authorised code flow, the authorization
 * code flow (HAIP 1.0 §4: pushed authorization requests required, PKCE S256 only, `iss` in the
 * authorization response), refresh tokens (docs/AUTHORIZATION.md); DPoP (RFC 9449 §5.1: the proof
 * algorithms) and attestation-based client authentication (draft -07 §10.1: `attest_jwt_client_auth`
 * and its algorithms), with `none` while the issuer permits public clients. Anonymous
 * pre-authorised access (OID4VCI 1.0 §12.3) only then, too.
 */
export function authorizationServerMetadata(issuer: ResolvedIssuer) {
  const base = issuer.credentialIssuer
  const publicClients = clientAttestationOf(issuer.profile) === 'optional'
  return {
    issuer: base,
    token_endpoint: `${base}/token`,
    pushed_authorization_request_endpoint: `${base}/par`,
    require_pushed_authorization_requests: true,
    authorization_endpoint: `${base}/authorize`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    authorization_details_types_supported: ['openid_credential'],
    scopes_supported: Object.values(issuer.profile.configurations).map(scopeOf),
    grant_types_supported: [PRE_AUTHORIZED_CODE_GRANT, 'authorization_code', 'refresh_token'],
    'pre-authorized_grant_anonymous_access_supported': publicClients,
    token_endpoint_auth_methods_supported: publicClients
      ? ['attest_jwt_client_auth', 'none']
      : ['attest_jwt_client_auth'],
    client_attestation_signing_alg_values_supported: [...PROOF_OF_POSSESSION_ALGORITHMS],
    client_attestation_pop_signing_alg_values_supported: [...PROOF_OF_POSSESSION_ALGORITHMS],
    dpop_signing_alg_values_supported: [...PROOF_OF_POSSESSION_ALGORITHMS],
  }
}
