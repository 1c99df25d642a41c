import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDegreeRequest, createDiplomaOffer, startIssuer, startVerifier, VCT } from '@attesto/testing'
import { WalletPassphraseError } from '../src/errors/HolderWalletError.js'
import { HolderWallet } from '../src/HolderWallet.js'

// The wallet SDK against an issuer and a verifier of the Attesto stack on 127.0.0.1 (storage in
// the real PostgreSQL). The wallet itself keeps its data in an embedded directory.

describe('HolderWallet', () => {
  let issuer: Awaited<ReturnType<typeof startIssuer>>
  let verifier: Awaited<ReturnType<typeof startVerifier>>
  let dataDir: string
  const passphrase = 'correct horse battery staple'

  const offer = (claims: Record<string, unknown>) => createDiplomaOffer(issuer.runtime.agent.context, claims)

  /** A signed OID4VP request from the verifier for the degree of a diploma. */
  const degreeRequest = () => createDegreeRequest(verifier.runtime.agent.context)

  beforeAll(async () => {
    issuer = await startIssuer()
    verifier = await startVerifier()
    dataDir = await mkdtemp(join(tmpdir(), 'attesto-wallet-'))
  })
  afterAll(async () => {
    await issuer?.close()
    await verifier?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('receives a credential, lists it by type, and presents only what is asked', async () => {
    const wallet = await HolderWallet.open({ dataDir, passphrase, allowInsecureHttp: true })
    try {
      const { credentialOffer, issuerDid } = await offer({ given_name: 'Ada', degree: 'MSc Mathematics' })
      const [received] = await wallet.acceptOffer(credentialOffer)
      expect(received).toMatchObject({
        vct: VCT,
        issuer: issuerDid,
        claims: { given_name: 'Ada', degree: 'MSc Mathematics' },
      })
      expect((await wallet.listCredentials({ vct: VCT })).map((credential) => credential.id)).toEqual([received?.id])
      expect(await wallet.listCredentials({ vct: 'https://other.example/type' })).toEqual([])

      const agent = verifier.runtime.agent
      const { authorizationRequest, verificationSession } = await degreeRequest()
      const presented = await wallet.present(authorizationRequest)
      expect(presented).toEqual({ accepted: true, presented: { diploma: [received?.id] } })
      const verified = await agent.openid4vc.verifier.getVerifiedAuthorizationResponse(verificationSession.id)
      const presentation = verified.dcql?.presentations.diploma?.[0] as unknown as
        | { prettyClaims: Record<string, unknown> }
        | undefined
      const claims = presentation?.prettyClaims ?? {}
      expect(claims.degree).toBe('MSc Mathematics')
      expect(claims.given_name).toBeUndefined()
    } finally {
      await wallet.close()
    }
  })

  it('presents the credential the holder selects among several that match', async () => {
    const wallet = await HolderWallet.open({ dataDir, passphrase, allowInsecureHttp: true })
    try {
      const [phd] = await wallet.acceptOffer((await offer({ given_name: 'Ada', degree: 'PhD' })).credentialOffer)
      const agent = verifier.runtime.agent

      const seen: string[][] = []
      const { authorizationRequest, verificationSession } = await degreeRequest()
      await wallet.present(authorizationRequest, {
        select: (queryId, candidates) => {
          seen.push([queryId, ...candidates.map((candidate) => String(candidate.claims.degree)).sort()])
          return phd?.id as string
        },
      })
      expect(seen).toEqual([['diploma', 'MSc Mathematics', 'PhD']])
      const verified = await agent.openid4vc.verifier.getVerifiedAuthorizationResponse(verificationSession.id)
      const presentation = verified.dcql?.presentations.diploma?.[0] as unknown as
        | { prettyClaims: Record<string, unknown> }
        | undefined
      expect(presentation?.prettyClaims.degree).toBe('PhD')

      const { authorizationRequest: another } = await degreeRequest()
      await expect(wallet.present(another, { select: () => 'not-a-candidate' })).rejects.toThrow(/does not match/)
    } finally {
      await wallet.close()
    }
  })

  it('keeps its credentials across restarts, and opens only with its passphrase', async () => {
    await expect(HolderWallet.open({ dataDir, passphrase: 'wrong passphrase' })).rejects.toBeInstanceOf(
      WalletPassphraseError,
    )
    const wallet = await HolderWallet.open({ dataDir, passphrase })
    try {
      expect(await wallet.listCredentials()).toHaveLength(2)
    } finally {
      await wallet.close()
    }
  })
})
