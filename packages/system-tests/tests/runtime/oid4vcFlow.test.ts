import { createDiplomaOffer, holderAgent, redeemOffer, startIssuer, startVerifier, VCT } from '@attesto/testing'

// The whole stack, end to end, over HTTP on 127.0.0.1: an issuer and a verifier built by the
// runtime (storage in the real PostgreSQL, local KMS), and a holder agent (embedded PGlite,
// local KMS). OID4VCI pre-authorised issuance of a dc+sd-jwt, then OID4VP 1.0 with DCQL and
// selective disclosure. This is the flow the issuer and verifier REST APIs will expose.

describe('OID4VCI + OID4VP end to end on the Attesto stack', () => {
  let issuer: Awaited<ReturnType<typeof startIssuer>>
  let verifier: Awaited<ReturnType<typeof startVerifier>>
  let wallet: Awaited<ReturnType<typeof holderAgent>>
  let holder: Awaited<ReturnType<typeof holderAgent>>['agent']

  beforeAll(async () => {
    issuer = await startIssuer()
    verifier = await startVerifier()

    wallet = await holderAgent()
    holder = wallet.agent
  })

  afterAll(async () => {
    await wallet?.close()
    await issuer?.close()
    await verifier?.close()
  })

  it('issues a selectively disclosable diploma and verifies only the claims asked for', async () => {
    // Issuer: a key in its KMS, a did:key, an issuer with one dc+sd-jwt configuration, an offer.
    const { credentialOffer } = await createDiplomaOffer(issuer.runtime.agent.context, {
      given_name: 'Ada',
      family_name: 'Lovelace',
      degree: 'MSc Mathematics',
    })
    expect(credentialOffer).toMatch(/^openid-credential-offer:\/\//)

    // Holder: resolve, token, credential bound to a key of its own, store.
    const credentials = await redeemOffer(holder, credentialOffer)
    expect(credentials).toHaveLength(1)
    const record = credentials[0]?.record
    expect(record).toBeDefined()
    await holder.sdJwtVc.store({ record: record as never })
    expect(await holder.sdJwtVc.getAll()).toHaveLength(1)

    // Verifier: a DCQL request for the degree only.
    const verifierAgent = verifier.runtime.agent
    const verifierKey = await verifierAgent.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
    const verifierDid = await verifierAgent.dids.create({ method: 'key', options: { keyId: verifierKey.keyId } })
    const { verifierId } = await verifierAgent.openid4vc.verifier.createVerifier()
    const { authorizationRequest, verificationSession } =
      await verifierAgent.openid4vc.verifier.createAuthorizationRequest({
        verifierId,
        requestSigner: {
          method: 'did',
          didUrl: verifierDid.didState.didDocument?.verificationMethod?.[0]?.id as string,
        },
        dcql: {
          query: {
            credentials: [
              { id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] },
            ],
          },
        },
        version: 'v1',
      })

    // Holder: resolve the request, present only what was asked.
    const request = await holder.openid4vc.holder.resolveOpenId4VpAuthorizationRequest(authorizationRequest)
    const dcql = request.dcql
    expect(dcql?.queryResult.can_be_satisfied).toBe(true)
    const accepted = await holder.openid4vc.holder.acceptOpenId4VpAuthorizationRequest({
      authorizationRequestPayload: request.authorizationRequestPayload,
      dcql: { credentials: holder.openid4vc.holder.selectCredentialsForDcqlRequest(dcql?.queryResult as never) },
    })
    expect(accepted.serverResponse?.status).toBe(200)

    // Verifier: verified, with the degree disclosed and the names withheld.
    const verified = await verifierAgent.openid4vc.verifier.getVerifiedAuthorizationResponse(verificationSession.id)
    const presentation = verified.dcql?.presentations.diploma?.[0] as unknown as {
      prettyClaims: Record<string, unknown>
    }
    expect(presentation.prettyClaims.degree).toBe('MSc Mathematics')
    expect(presentation.prettyClaims.given_name).toBeUndefined()
    expect(presentation.prettyClaims.family_name).toBeUndefined()
  })
})
