import { DEGREE_QUERY, type Deployment, OFFERED_CLAIMS, VCT } from '../deployments/Deployment.js'
import { answerRequest } from './answerRequest.js'
import { check, type ProtocolNotes } from './ProtocolNotes.js'
import { redeemOffer } from './redeemOffer.js'
import type { StepClient } from './StepClient.js'
import type { SdJwtVc } from './sdJwtVc.js'

/** One issuance: the issuer's offer (with a transaction code), redeemed and checked by the wallet. */
export async function issuanceFlow(deployment: Deployment, client: StepClient, notes: ProtocolNotes): Promise<SdJwtVc> {
  const offer = await deployment.createOffer(client)
  check(offer.txCode?.length === 6, 'offer', `expected a 6-digit transaction code, got ${offer.txCode}`)
  return redeemOffer(client, notes, { ...offer, vct: VCT, claims: OFFERED_CLAIMS })
}

/**
 * One verification: the verifier's request for the degree, answered by the wallet with
 * `credential`, and the verifier's result, which must be `verified` with exactly the degree, from
 * the credential's issuer.
 */
export async function verificationFlow(
  deployment: Deployment,
  client: StepClient,
  notes: ProtocolNotes,
  credential: SdJwtVc,
): Promise<void> {
  const { requestId, uri } = await deployment.createRequest(client)
  await answerRequest(client, notes, uri, credential)
  const result = await deployment.result(client, requestId)
  const step = 'GET result'
  check(result.status === 'verified', step, `request ${requestId} is ${JSON.stringify(result)}`)
  const [presented, ...more] = result.credentials ?? []
  const queryId = DEGREE_QUERY.credentials[0]?.id
  check(presented && presented.queryId === queryId && more.length === 0, step, `expected one '${queryId}' credential`)
  if (credential.x5c) check(presented.issuerCertificate?.anchor, step, 'the x5c chain led to no trust anchor')
  else check(presented.issuer?.split('#')[0] === credential.payload.iss, step, `issuer is ${presented.issuer}`)
  check(presented.vct === VCT, step, `vct is ${presented.vct}`)
  check(
    JSON.stringify(presented.claims) === JSON.stringify({ degree: OFFERED_CLAIMS.degree }),
    step,
    `disclosed claims are ${JSON.stringify(presented.claims)}, not the degree alone`,
  )
}
