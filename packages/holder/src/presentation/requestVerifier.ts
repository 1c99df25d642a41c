import type { CertificateSummary } from '@attesto/protocol-kit'
import type { OpenId4VpResolvedAuthorizationRequest } from '@credo-ts/openid4vc'
import type { ClaimLabel, Logo } from '../display/displayTypes.js'
import type { PartySigner, TrustPolicy, TrustResult } from '../trust/TrustPolicy.js'

/** Who asks, as the consent screen shows it. */
export interface RequestVerifier {
  /** The client identifier the wallet answers to (with its prefix, as OID4VP 1.0 §5.9 writes it). */
  clientId: string
  /** How the verifier is identified: `decentralized_identifier`, `x509_san_dns`, `x509_hash`, `redirect_uri`… */
  clientIdPrefix: string
  /** For `decentralized_identifier`: the DID whose key signed the request. */
  did?: string
  /** `client_name` of the request's `client_metadata` (and its `client_name#<locale>` variants), if given. */
  names: ClaimLabel[]
  logo?: Logo
  /** For the `x509_*` prefixes: the certificate chain that signed the request, leaf first. */
  certificateChain?: CertificateSummary[]
  /** Where the answer goes. */
  responseUri?: string
  trust: TrustResult
}

type Json = Record<string, unknown>
const MAX_NAME = 200

/** `client_name` and its localised forms (RFC 7591 §2.2: `client_name#fr`). */
function namesOf(metadata: Json): ClaimLabel[] {
  const names: ClaimLabel[] = []
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string' || !value) continue
    if (key === 'client_name') names.push({ name: value.slice(0, MAX_NAME) })
    else if (key.startsWith('client_name#')) names.push({ locale: key.slice(12, 47), name: value.slice(0, MAX_NAME) })
  }
  return names.slice(0, 20)
}

/** How the request was signed: its JAR signer, or not at all. */
function signerOf(request: OpenId4VpResolvedAuthorizationRequest): PartySigner {
  const signer = request.signedAuthorizationRequest?.signer as
    | { method: string; didUrl?: string; x5c?: string[] }
    | undefined
  if (!signer) return { unsigned: true }
  if (signer.method === 'x5c' && signer.x5c) return { x5c: signer.x5c }
  if (signer.method === 'did' && signer.didUrl) return { did: signer.didUrl.split('#')[0] as string }
  return { unknown: true }
}

/**
 * The verifier of a request Credo resolved (its signature checked against the client identifier:
 * the DID's key, or the leaf of `x5c` matching `x509_hash` / `x509_san_dns`), and the wallet's verdict on it.
 */
export async function requestVerifierOf(
  request: OpenId4VpResolvedAuthorizationRequest,
  policy: TrustPolicy,
): Promise<RequestVerifier> {
  const payload = request.authorizationRequestPayload as Json
  const metadata = (payload.client_metadata ?? {}) as Json
  const signer = signerOf(request)
  const trust = await policy.evaluate('verifier', signer)
  const logoUri = typeof metadata.logo_uri === 'string' ? metadata.logo_uri.slice(0, 4_096) : undefined
  const prefix = request.verifier.clientIdPrefix
  const effective = request.verifier.effectiveClientId
  return {
    clientId: effective.startsWith(`${prefix}:`) || prefix === 'redirect_uri' ? effective : `${prefix}:${effective}`,
    clientIdPrefix: prefix,
    ...('did' in signer ? { did: signer.did } : {}),
    names: namesOf(metadata),
    ...(logoUri ? { logo: { uri: logoUri } } : {}),
    ...(trust.certificate ? { certificateChain: trust.certificate.chain } : {}),
    ...(typeof payload.response_uri === 'string' ? { responseUri: payload.response_uri } : {}),
    trust,
  }
}
