import { startService, tenantWithVerifier, VCT } from '@attesto/testing'
import { type CertifiedIssuer, HandBuiltWallet } from '@attesto/testing/wallets'
import { createVerifierApp, type VerifierRuntime } from '../../src/app.js'
import { DEGREE_QUERY } from './diplomaHolder.js'

type VerifierService = Awaited<ReturnType<typeof startService<VerifierRuntime>>>

/**
 * The verifier under test in process (real PostgreSQL, local KMS), a tenant with a verifier
 * identity, and a hand-built wallet whose did:jwk issuer the tenant trusts.
 */
export class HandBuiltScene {
  public readonly wallet = new HandBuiltWallet()
  public key = ''
  public verifierId = ''

  private constructor(public readonly verifier: VerifierService) {}

  public static async start(): Promise<HandBuiltScene> {
    const scene = new HandBuiltScene(await startService('verifier', createVerifierApp))
    Object.assign(scene, await tenantWithVerifier(scene.verifier, 'Bank'))
    await scene.call('PUT', `/trusted-issuers/${encodeURIComponent(scene.wallet.issuerDid)}`, {})
    return scene
  }

  /** A REST call with the tenant's API key. */
  public call(method: string, path: string, body?: unknown) {
    return this.verifier.call(method, path, this.key, body)
  }

  /** A request's result, as `GET /presentation-requests/{requestId}` answers it. */
  public async result(requestId: string) {
    return (await this.call('GET', `/presentation-requests/${requestId}`)).body
  }

  /** A new request of the verifier (`input`: the degree query by default), and the request object the wallet fetched. */
  public async request(input: Record<string, unknown> = { dcql: { query: DEGREE_QUERY } }) {
    const created = await this.call('POST', '/presentation-requests', { verifierId: this.verifierId, ...input })
    if (created.status !== 201) throw new Error(`request not made: ${JSON.stringify(created.body)}`)
    return { requestId: created.body.requestId as string, request: await this.wallet.fetchRequest(created.body.uri) }
  }

  /**
   * A new request (as {@link request}) answered with a diploma that discloses its degree, signed
   * by the did:jwk issuer or by `signer` (with its x5c chain).
   */
  public async present(input?: Record<string, unknown>, signer?: CertifiedIssuer) {
    const { requestId, request } = await this.request(input)
    const credential = this.wallet.issue(VCT, { given_name: 'Ada', degree: 'MSc' }, {}, signer)
    const presentation = this.wallet.present(request, credential, [credential.disclosures.degree as string])
    const answered = await this.wallet.respond(request, {
      vp_token: { diploma: [presentation] },
      state: request.payload.state,
    })
    return { requestId, request, answered }
  }

  public close(): Promise<void> {
    return this.verifier.close()
  }
}
