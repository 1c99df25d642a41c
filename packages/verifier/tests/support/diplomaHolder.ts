import { randomBytes } from 'node:crypto'
import {
  createDiplomaOffer,
  holderAgent,
  REDIS_URL,
  redeemOffer,
  startIssuer,
  startService,
  VCT,
} from '@attesto/testing'
import type { AgentContext } from '@credo-ts/core'
import { createVerifierApp, type VerifierRuntime } from '../../src/app.js'

// The holder side of the verifier tests that use a Credo wallet: a diploma (type VCT) issued
// into the wallet by a Credo issuer agent, and the wallet answering a request with it.

/** The DCQL query most verifier tests ask with: a diploma, disclosing its `degree`. */
export const DEGREE_QUERY = {
  credentials: [{ id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] }],
}

type Wallet = Awaited<ReturnType<typeof holderAgent>>

/** The verifier service under test, a Credo issuer agent on the same stack, and a holder wallet. */
export interface VerifierScene {
  verifier: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  issuer: Awaited<ReturnType<typeof startIssuer>>
  wallet: Wallet
  /** Stops the wallet, the issuer and the verifier. */
  close(): Promise<void>
}

/** Starts a {@link VerifierScene}: the verifier with `env`, the wallet fetching with `walletFetch`. */
export async function startVerifierScene(
  env: Record<string, string> = {},
  walletFetch?: typeof fetch,
): Promise<VerifierScene> {
  const verifier = await startService('verifier', createVerifierApp, env)
  const issuer = await startIssuer()
  const wallet = await holderAgent(walletFetch ? { fetch: walletFetch } : {})
  return {
    verifier,
    issuer,
    wallet,
    async close() {
      await wallet.close()
      await issuer.close()
      await verifier.close()
    },
  }
}

/** Environment of a verifier that sends webhooks: Redis queues under a fresh prefix, receivers on plain http. */
export function webhookEnv(): Record<string, string> {
  return { REDIS_URL, QUEUE_PREFIX: `test${randomBytes(4).toString('hex')}`, WEBHOOK_ALLOW_INSECURE: 'true' }
}

/** A diploma of `claims` from the issuer agent, redeemed and stored by the wallet: the offer (and its issuer's DID). */
export async function issueDiplomaTo(wallet: Wallet, issuerContext: AgentContext, claims: Record<string, unknown>) {
  const offer = await createDiplomaOffer(issuerContext, claims)
  const [credential] = await redeemOffer(wallet.agent, offer.credentialOffer)
  await wallet.agent.sdJwtVc.store({ record: credential?.record as never })
  return offer
}

/**
 * The wallet answers a request URI, disclosing only what the DCQL query asks for; `alter` changes
 * the request it believes it answers (nonce, audience), as an attacker would.
 */
export async function presentFrom(
  wallet: Wallet,
  uri: string,
  alter: (payload: Record<string, unknown>) => Record<string, unknown> = (payload) => payload,
) {
  const holder = wallet.agent.openid4vc.holder
  const request = await holder.resolveOpenId4VpAuthorizationRequest(uri)
  return holder.acceptOpenId4VpAuthorizationRequest({
    authorizationRequestPayload: alter(request.authorizationRequestPayload as never) as never,
    dcql: { credentials: holder.selectCredentialsForDcqlRequest(request.dcql?.queryResult as never) },
  })
}
