import {
  CertificateChainError,
  type CertificateSummary,
  certificateSummary,
  checkSigningChain,
  findTrustAnchor,
  parseCertificateChain,
  parseTrustAnchor,
  type X509Certificate,
} from '@attesto/protocol-kit'
import { HolderWalletError } from '../errors/HolderWalletError.js'

/** Whom the wallet trusts in one role (issuers, or verifiers). */
export interface PartyTrustOptions {
  /**
   * The DIDs trusted in this role. Unset: any DID is accepted on its signature alone (nothing then
   * says who is behind the DID); an empty list trusts no DID.
   */
  dids?: string[]
  /** CA certificates (PEM or base64 DER) trusted in this role only, besides `trustedCertificates`. */
  certificates?: string[]
}

export interface TrustPolicyOptions {
  issuers?: PartyTrustOptions
  verifiers?: PartyTrustOptions
  /**
   * What happens with an issuer or verifier the wallet does not trust: `refuse` (the default: the
   * wallet refuses it with `untrusted_issuer` / `untrusted_verifier`), or `ask` (the app shows the
   * trust result and accepting needs `{ acceptUntrusted: true }`).
   */
  untrusted?: 'refuse' | 'ask'
}

export type TrustRole = 'issuer' | 'verifier'

/** Why a party is trusted: a certificate chain to an anchor, a DID on the allow-list, or any DID (no allow-list). */
export type TrustBasis = 'x509_anchor' | 'did_allow_list' | 'any_did'

/** Why a party is not trusted (or not yet known). */
export type UntrustedCode =
  | 'not_on_allow_list'
  | 'no_trusted_anchor'
  | 'invalid_certificate_chain'
  | 'unsigned_request'
  | 'unknown_identity'
  | 'checked_on_receipt'

/** A party's certificate chain (leaf first) and the wallet's anchor it leads to. */
export interface CertificateTrust {
  chain: CertificateSummary[]
  anchor?: CertificateSummary
}

/** The wallet's verdict on an issuer or a verifier, with what it is based on. */
export type TrustResult =
  | { trusted: true; basis: TrustBasis; did?: string; certificate?: CertificateTrust }
  | { trusted: false; code: UntrustedCode; reason: string; did?: string; certificate?: CertificateTrust }

/** How a party signed: under a certificate chain (`x5c`), with a DID's key, not at all, or in a way not known. */
export type PartySigner = { x5c: string[] } | { did: string } | { unsigned: true } | { unknown: true }

async function anchorsOf(texts: readonly string[]): Promise<X509Certificate[]> {
  const anchors: X509Certificate[] = []
  for (const text of texts) {
    try {
      anchors.push(...parseCertificateChain([(await parseTrustAnchor(text)).certificate]))
    } catch (error) {
      if (!(error instanceof CertificateChainError)) throw error
      throw new HolderWalletError('invalid_trust_anchor', `A trusted certificate cannot be used: ${error.message}`, {
        cause: error,
        details: { certificateCode: error.code },
      })
    }
  }
  return anchors
}

/**
 * The wallet's trust policy: X.509 anchors, DID allow-lists for issuers and verifiers, and what
 * to do with parties it does not trust. It judges identities Credo has already checked the
 * signatures of; it is the only place the wallet decides trust.
 */
export class TrustPolicy {
  private constructor(
    public readonly mode: 'refuse' | 'ask',
    private readonly anchors: Record<TrustRole, X509Certificate[]>,
    private readonly dids: Record<TrustRole, ReadonlySet<string> | undefined>,
  ) {}

  /** Reads the anchors (each must be a CA certificate in validity: `invalid_trust_anchor` otherwise). */
  public static async create(options: TrustPolicyOptions = {}, trustedCertificates: string[] = []) {
    const shared = await anchorsOf(trustedCertificates)
    const dids = (party?: PartyTrustOptions) => (party?.dids ? new Set(party.dids) : undefined)
    return new TrustPolicy(
      options.untrusted ?? 'refuse',
      {
        issuer: [...shared, ...(await anchorsOf(options.issuers?.certificates ?? []))],
        verifier: [...shared, ...(await anchorsOf(options.verifiers?.certificates ?? []))],
      },
      { issuer: dids(options.issuers), verifier: dids(options.verifiers) },
    )
  }

  /** Whether the wallet trusts `signer` as an issuer or a verifier, at `at` (default now). */
  public async evaluate(role: TrustRole, signer: PartySigner, at = new Date()): Promise<TrustResult> {
    if ('x5c' in signer) return this.certificateTrust(role, signer.x5c, at)
    if ('did' in signer) {
      const allowed = this.dids[role]
      if (!allowed) return { trusted: true, basis: 'any_did', did: signer.did }
      if (allowed.has(signer.did)) return { trusted: true, basis: 'did_allow_list', did: signer.did }
      return {
        trusted: false,
        code: 'not_on_allow_list',
        reason: `${signer.did} is not on the wallet's ${role} allow-list`,
        did: signer.did,
      }
    }
    if ('unsigned' in signer) {
      return {
        trusted: false,
        code: 'unsigned_request',
        reason: 'The request is not signed: anyone could have sent it under this name',
      }
    }
    return {
      trusted: false,
      code: 'unknown_identity',
      reason: 'The signer is named neither by a certificate nor by a DID',
    }
  }

  private async certificateTrust(role: TrustRole, x5c: string[], at: Date): Promise<TrustResult> {
    let chain: X509Certificate[]
    try {
      chain = parseCertificateChain(x5c)
      await checkSigningChain(chain, { at })
    } catch (error) {
      if (!(error instanceof CertificateChainError)) throw error
      const readable = error.code === 'certificate_unreadable' ? [] : parseCertificateChain(x5c)
      return {
        trusted: false,
        code: 'invalid_certificate_chain',
        reason: `The certificate chain is not valid: ${error.message}`,
        certificate: { chain: await Promise.all(readable.map(certificateSummary)) },
      }
    }
    const summaries = await Promise.all(chain.map(certificateSummary))
    const anchor = await findTrustAnchor(chain[chain.length - 1] as X509Certificate, this.anchors[role], at)
    if (!anchor) {
      return {
        trusted: false,
        code: 'no_trusted_anchor',
        reason: `The certificate chain of ${summaries[0]?.subject} leads to none of the wallet's trusted certificates`,
        certificate: { chain: summaries },
      }
    }
    return {
      trusted: true,
      basis: 'x509_anchor',
      certificate: { chain: summaries, anchor: await certificateSummary(anchor) },
    }
  }
}

/** Who signed an SD-JWT VC: its `x5c` chain, or the DID of its `iss`. */
export function credentialSigner(header: Record<string, unknown>, payload: Record<string, unknown>): PartySigner {
  if (Array.isArray(header.x5c)) return { x5c: header.x5c as string[] }
  if (typeof payload.iss === 'string' && payload.iss.startsWith('did:')) return { did: payload.iss }
  return { unknown: true }
}
