import { type Auth0MdocWallet, MDL_DOCTYPE, MDL_NAMESPACE } from '@attesto/testing/wallets'
import type { Deployment } from '../deployments/Deployment.js'
import { encryptResponse, fetchRequestObject } from './answerRequest.js'
import { check, type ProtocolNotes } from './ProtocolNotes.js'
import type { StepClient } from './StepClient.js'

/** The mdoc query of the benchmark: an mDL's family name and age_over_18. */
export const LICENCE_QUERY = {
  credentials: [
    {
      id: 'licence',
      format: 'mso_mdoc',
      meta: { doctype_value: MDL_DOCTYPE },
      claims: [{ path: [MDL_NAMESPACE, 'family_name'] }, { path: [MDL_NAMESPACE, 'age_over_18'] }],
    },
  ],
}
/** What every mdoc of the benchmark holds; the query discloses two of them. */
export const LICENCE_CLAIMS = {
  [MDL_NAMESPACE]: { family_name: 'Mustermann', given_name: 'Erika', birth_date: '1984-08-12', age_over_18: true },
}

/**
 * One mdoc verification: the verifier's request for the licence, the signed request object, a
 * DeviceResponse made by the @auth0/mdl wallet over the request's session transcript (client_id,
 * nonce, the thumbprint of its response key, response_uri), encrypted to the request's key
 * (direct_post.jwt), and the verifier's result, which must be `verified` with the two elements.
 */
export async function mdocVerificationFlow(
  deployment: Deployment,
  client: StepClient,
  notes: ProtocolNotes,
  wallet: Auth0MdocWallet,
  issued: Awaited<ReturnType<Auth0MdocWallet['issue']>>,
): Promise<void> {
  const { requestId, uri } = await deployment.createRequest(client, LICENCE_QUERY)
  const request = await fetchRequestObject(client, notes, uri)
  const step = 'POST response (mdoc)'
  const encryptionJwk = (request.client_metadata?.jwks?.keys ?? [])[0]
  check(request.response_mode === 'direct_post.jwt' && encryptionJwk, step, 'expected direct_post.jwt with a key')
  const deviceResponse = await wallet.present(
    issued,
    { [MDL_NAMESPACE]: ['family_name', 'age_over_18'] },
    { clientId: request.client_id, nonce: request.nonce, responseUri: request.response_uri, encryptionJwk },
  )
  const response = { vp_token: { licence: [deviceResponse] }, state: request.state }
  await client.json(step, request.response_uri, { form: { response: await encryptResponse(step, request, response) } })
  const result = await deployment.result(client, requestId)
  check(result.status === 'verified', 'GET result', `request ${requestId} is ${JSON.stringify(result)}`)
  const [presented] = result.credentials ?? []
  const elements = presented?.claims[MDL_NAMESPACE] as Record<string, unknown> | undefined
  check(
    presented?.docType === MDL_DOCTYPE &&
      Object.keys(presented.claims).length === 1 &&
      Object.keys(elements ?? {}).length === 2 &&
      elements?.family_name === 'Mustermann' &&
      elements.age_over_18 === true,
    'GET result',
    `disclosed ${JSON.stringify(presented)}, not the family name and age_over_18 alone`,
  )
}
