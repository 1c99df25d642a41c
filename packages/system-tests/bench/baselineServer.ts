// The baseline of the server-cost benchmark: Credo on its own as one process (ROLE issuer or
// verifier, PORT), with in-memory storage and Credo's node:crypto KMS, Credo's OID4VCI or OID4VP
// endpoints, and the fewest HTTP calls the benchmark needs to drive it (no validation, no auth):
//   issuer:   POST /offers { claims, txCodeLength? }  → { uri, txCode?, issuerDid }
//   verifier: POST /presentation-requests             → { requestId, uri }
//             GET  /presentation-requests/:id         → { status, credentials? } (as our REST API)
import {
  baselineAgent,
  createDegreeRequest,
  createDiplomaIssuer,
  createDiplomaOffer,
  diplomaCredentialMapper,
} from '@attesto/testing'
import { OpenId4VcModule, OpenId4VcVerificationSessionState, OpenId4VcVerifierApi } from '@credo-ts/openid4vc'
import express from 'express'
import { presentedCredentials } from './credoPresentedCredentials.js'

const role = process.env.ROLE
const port = Number(process.env.PORT)
const baseUrl = `http://127.0.0.1:${port}`
const app = express()
app.get('/ready', (_request, response) => {
  response.json({ ready: true })
})

if (role === 'issuer') {
  const { agent } = await baselineAgent({
    openid4vc: new OpenId4VcModule({
      app,
      issuer: { baseUrl: `${baseUrl}/oid4vci`, credentialRequestToCredentialMapper: diplomaCredentialMapper },
    }),
  })
  const issuer = await createDiplomaIssuer(agent.context)
  app.post('/offers', express.json(), async (request, response) => {
    const { credentialOffer, issuanceSession } = await createDiplomaOffer(agent.context, request.body.claims, {
      issuer,
      txCodeLength: request.body.txCodeLength,
    })
    response.status(201).json({ uri: credentialOffer, txCode: issuanceSession.userPin, issuerDid: issuer.issuerDid })
  })
} else {
  const { agent } = await baselineAgent({
    openid4vc: new OpenId4VcModule({ app, verifier: { baseUrl: `${baseUrl}/oid4vp` } }),
  })
  const verifier = agent.dependencyManager.resolve(OpenId4VcVerifierApi)
  app.post('/presentation-requests', async (_request, response) => {
    const { authorizationRequest, verificationSession } = await createDegreeRequest(agent.context)
    response.status(201).json({ requestId: verificationSession.id, uri: authorizationRequest })
  })
  app.get('/presentation-requests/:id', async (request, response) => {
    const session = await verifier.getVerificationSessionById(request.params.id)
    if (session.state !== OpenId4VcVerificationSessionState.ResponseVerified) {
      response.json({ status: session.state })
      return
    }
    const credentials = presentedCredentials(await verifier.getVerifiedAuthorizationResponse(session.id))
    response.json({ status: 'verified', credentials })
  })
}
app.listen(port, '127.0.0.1')
