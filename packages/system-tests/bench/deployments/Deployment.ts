import type { StepClient } from '../loadgen/StepClient.js'

/** What a verifier reports about a presentation request (our REST API's shape). */
export interface PresentationResult {
  status: string
  credentials?: {
    queryId: string
    issuer?: string
    vct?: string
    format?: string
    docType?: string
    claims: Record<string, unknown>
    /** For a credential signed under an X.509 chain: the verifier's anchor it leads to. */
    issuerCertificate?: { subject?: string; anchor?: { anchorId: string } }
  }[]
}

/**
 * An issuer and a verifier under test, each its own process, driven by the load generator. How an
 * offer or a request is made and how a result is read differs per deployment; the protocol part
 * between them is the same.
 */
export interface Deployment {
  name: string
  /** The processes whose CPU time is the service's (issuer and verifier). */
  servicePids: { issuer: number; verifier: number }
  /** The services' base URLs, where a deployment of ours serves them (its `/metrics` among them). */
  serviceUrls?: { issuer: string; verifier: string }
  /** An offer; `trustAnchor` is the CA certificate (PEM) a wallet needs for an issuer that signs with `x5c`. */
  createOffer(client: StepClient): Promise<{ uri: string; txCode?: string; trustAnchor?: string }>
  /** A presentation request for `query` (the degree, {@link DEGREE_QUERY}, by default). */
  createRequest(client: StepClient, query?: object): Promise<{ requestId: string; uri: string }>
  result(client: StepClient, requestId: string): Promise<PresentationResult>
  /** What the service processes printed, for a failure report. */
  output(): string
  close(): Promise<void>
}

/** The credential type both deployments issue (a URN: a wallet would fetch an https type's metadata). */
export const VCT = 'urn:attesto:test:diploma'
/** The claims of every offer; the verifier asks for the degree only. */
export const OFFERED_CLAIMS = { given_name: 'Ada', degree: 'MSc' }
export const DEGREE_QUERY = {
  credentials: [{ id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] }],
}
/** The transaction code length every offer asks for. */
export const TX_CODE_LENGTH = 6
