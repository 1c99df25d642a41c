import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { HolderWallet, type HolderWalletError, type OpenHolderWalletOptions } from '@attesto/holder'
import { startService, tenantWithVerifier } from '@attesto/testing'
import { createVerifierApp, loadStatusCheckConfig, type VerifierRuntime } from '@attesto/verifier'
import { type IssuerProcess, startIssuerProcess } from './support/issuerProcess.js'
import { packageDirectory } from './support/packageDirectory.js'

// The wallet SDK's two-step presentation against this verifier (its REST API and OID4VP
// endpoints), with credentials from an issuer process, storage in the real PostgreSQL: the
// consent screen's data and that it is exactly what the verifier receives, choices as data,
// declining (access_denied), the trust policy on verifiers, and the terminal example.

const DIPLOMA = 'https://university.example/diploma'
const exampleScript = `${packageDirectory('@attesto/holder')}examples/terminalWallet.mjs`

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a HolderWalletError')
    },
    (error: HolderWalletError) => error,
  )

describe('the wallet SDK against the verifier: two-step presentations', () => {
  let issuer: IssuerProcess
  let verifier: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  let issuerKey = ''
  let issuerId = ''
  let bank = ''
  let verifierId = ''
  let verifierDid = ''
  const wallets: HolderWallet[] = []

  const issuerCall = async (method: string, path: string, key: string, body?: unknown) =>
    (await issuer.call(method, path, key, body)).body
  const offer = async (degree: string) =>
    (
      await issuerCall('POST', '/offers', issuerKey, {
        issuerId,
        credentialConfigurationId: 'diploma',
        claims: { given_name: 'Ada', degree, faculty: 'Science' },
      })
    ).uri as string
  const open = async (options: Partial<OpenHolderWalletOptions> = {}, degrees: string[] = ['MSc Mathematics']) => {
    const wallet = await HolderWallet.open({
      inMemory: !options.dataDir,
      passphrase: 'wallet passphrase',
      allowInsecureHttp: true,
      ...options,
    })
    wallets.push(wallet)
    const ids: string[] = []
    for (const degree of degrees) ids.push(...(await wallet.acceptOffer(await offer(degree))).map((c) => c.id))
    return { wallet, ids }
  }
  const request = async (query: Record<string, unknown>) => {
    const created = await verifier.call('POST', '/presentation-requests', bank, { verifierId, dcql: { query } })
    expect(created.status).toBe(201)
    return created.body as { requestId: string; uri: string }
  }
  const result = async (requestId: string) =>
    (await verifier.call('GET', `/presentation-requests/${requestId}`, bank)).body
  const degreeQuery = (vct = DIPLOMA) => ({
    credentials: [{ id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [vct] }, claims: [{ path: ['degree'] }] }],
  })

  beforeAll(async () => {
    issuer = await startIssuerProcess('wallet', { TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0' })
    // The issuer publishes its status lists at http://127.0.0.1.
    const statusConfig = loadStatusCheckConfig({ STATUS_LIST_ALLOW_INSECURE: 'true' })
    verifier = await startService('verifier', (config, logger) => createVerifierApp(config, logger, statusConfig))
    issuerKey = (await issuerCall('POST', '/tenants', issuer.adminApiKey, { label: 'University' })).apiKey
    const created = await issuerCall('POST', '/issuers', issuerKey, { display: [{ name: 'University of Examples' }] })
    issuerId = created.issuerId
    await issuerCall('PUT', `/issuers/${issuerId}/credential-configurations/diploma`, issuerKey, {
      vct: DIPLOMA,
      display: [{ name: 'Diploma', locale: 'en' }],
      claims: [
        { name: 'given_name', type: 'string', display: [{ name: 'Given name', locale: 'en' }] },
        { name: 'degree', type: 'string', display: [{ name: 'Degree', locale: 'en' }] },
        {
          name: 'faculty',
          type: 'string',
          selectivelyDisclosable: false,
          display: [{ name: 'Faculty', locale: 'en' }],
        },
      ],
    })
    ;({ key: bank, verifierId } = await tenantWithVerifier(verifier, 'Bank'))
    verifierDid = (await verifier.call('GET', `/verifiers/${verifierId}`, bank)).body.did
    await verifier.call('PUT', `/trusted-issuers/${encodeURIComponent(created.did)}`, bank, {})
  }, 180_000)
  afterEach(async () => {
    for (const wallet of wallets.splice(0)) await wallet.close()
  })
  afterAll(async () => {
    await verifier?.close()
    await issuer?.close()
  })

  it('shows the verifier and exactly what each candidate discloses, and presents the choice as shown', async () => {
    const { wallet, ids } = await open({}, ['MSc Mathematics', 'PhD Mathematics'])
    const { requestId, uri } = await request(degreeQuery())
    const resolved = await wallet.resolvePresentationRequest(uri)
    expect(resolved.verifier).toMatchObject({
      clientId: `decentralized_identifier:${verifierDid}`,
      clientIdPrefix: 'decentralized_identifier',
      did: verifierDid,
      names: [],
      responseUri: expect.stringContaining(`/oid4vp/${verifierId}/authorize`),
      trust: { trusted: true, basis: 'any_did', did: verifierDid },
    })
    expect(resolved).toMatchObject({ satisfiable: true, responseMode: 'direct_post.jwt' })
    const [query] = resolved.queries
    expect(query).toMatchObject({ id: 'diploma', vctValues: [DIPLOMA], requestedClaims: [['degree']], multiple: false })
    expect(query?.candidates.map((candidate) => candidate.credential.id).sort()).toEqual([...ids].sort())
    const phd = query?.candidates.find((candidate) => candidate.credential.claims.degree === 'PhD Mathematics')
    expect(phd?.disclosed).toEqual([
      {
        path: ['degree'],
        labels: [{ name: 'Degree', locale: 'en' }],
        value: 'PhD Mathematics',
        selectivelyDisclosed: true,
      },
      { path: ['faculty'], labels: [{ name: 'Faculty', locale: 'en' }], value: 'Science', selectivelyDisclosed: false },
    ])
    expect(phd?.alwaysShared).toEqual(expect.arrayContaining(['iss', 'vct', 'cnf', 'iat', 'exp', 'status']))

    expect(await wallet.acceptPresentationRequest(resolved, { diploma: phd?.credential.id as string })).toEqual({})
    const verified = await result(requestId)
    expect(verified.status).toBe('verified')
    // What the verifier received is exactly what the consent screen showed.
    expect(verified.credentials[0].claims).toEqual(
      Object.fromEntries((phd?.disclosed ?? []).map((claim) => [claim.path.join('.'), claim.value])),
    )
    // Answered, the request is no longer served.
    expect((await rejection(wallet.resolvePresentationRequest(uri))).code).toBe('request_expired')
    expect((await wallet.activity())[0]).toMatchObject({
      type: 'presentation_shared',
      party: `decentralized_identifier:${verifierDid}`,
      credentialIds: [phd?.credential.id],
      sharedClaims: { diploma: expect.arrayContaining(['degree', 'faculty']) },
    })
  }, 180_000)

  it('presents one unused instance of a batch each time, and reuses the last only when the app allows it', async () => {
    expect((await issuer.call('PATCH', `/issuers/${issuerId}`, issuerKey, { batchSize: 2 })).status).toBe(200)
    try {
      const { wallet, ids } = await open()
      const [id] = ids as [string]
      expect((await wallet.getCredential(id)).instances).toEqual({ received: 2, unused: 2 })
      for (const unused of [1, 0]) {
        const { requestId, uri } = await request(degreeQuery())
        const resolved = await wallet.resolvePresentationRequest(uri)
        expect(resolved.queries[0]?.candidates[0]?.credential.instances.unused).toBe(unused + 1)
        expect(await wallet.acceptPresentationRequest(resolved, { diploma: id })).toEqual({})
        expect((await result(requestId)).status).toBe('verified')
        expect((await wallet.getCredential(id)).instances).toEqual({ received: 2, unused })
      }
      const { requestId, uri } = await request(degreeQuery())
      const resolved = await wallet.resolvePresentationRequest(uri)
      const used = await rejection(wallet.acceptPresentationRequest(resolved, { diploma: id }))
      expect(used).toMatchObject({ code: 'credential_instances_used', details: { credentialId: id } })
      // Nothing was sent: the verifier still waits, and the app may allow reuse.
      expect((await result(requestId)).status).not.toBe('verified')
      expect(await wallet.acceptPresentationRequest(resolved, { diploma: id }, { reuseInstances: true })).toEqual({})
      expect((await result(requestId)).status).toBe('verified')
    } finally {
      await issuer.call('PATCH', `/issuers/${issuerId}`, issuerKey, { batchSize: 1 })
    }
  }, 180_000)

  it('declines: the verifier is told access_denied and its session shows it', async () => {
    const { wallet } = await open()
    const { requestId, uri } = await request(degreeQuery())
    const answer = await wallet.declinePresentationRequest(await wallet.resolvePresentationRequest(uri))
    const session = await result(requestId)
    // The verifier processes the OID4VP error response: the request ends with the wallet's error.
    expect(answer.verifierError).toBeUndefined()
    expect(session).toMatchObject({
      status: 'rejected',
      reason: { code: 'wallet_error', detail: expect.stringContaining('access_denied') },
    })
    expect((await wallet.activity())[0]).toMatchObject({ type: 'presentation_declined', detail: expect.any(String) })
  }, 120_000)

  it('says when the wallet cannot answer, and refuses choices that do not answer the request', async () => {
    const { wallet, ids } = await open()
    const unanswerable = await wallet.resolvePresentationRequest((await request(degreeQuery('urn:other'))).uri)
    expect(unanswerable).toMatchObject({ satisfiable: false, queries: [{ id: 'diploma', candidates: [] }] })
    expect((await rejection(wallet.acceptPresentationRequest(unanswerable))).code).toBe('request_unsatisfiable')

    const resolved = await wallet.resolvePresentationRequest((await request(degreeQuery())).uri)
    expect((await rejection(wallet.acceptPresentationRequest(resolved, { diploma: 'not-mine' }))).code).toBe(
      'no_matching_credential',
    )
    expect((await rejection(wallet.acceptPresentationRequest(resolved, {}))).code).toBe('invalid_choice')
    expect((await rejection(wallet.acceptPresentationRequest(resolved, { card: ids[0] as string }))).code).toBe(
      'invalid_choice',
    )
    // Alternatives (credential_sets): an ID card or a diploma; the wallet can answer with the diploma.
    const setsRequest = await request({
      credentials: [
        { id: 'card', format: 'dc+sd-jwt', meta: { vct_values: ['urn:id-card'] }, claims: [{ path: ['name'] }] },
        ...degreeQuery().credentials,
      ],
      credential_sets: [{ options: [['card'], ['diploma']] }],
    })
    const sets = await wallet.resolvePresentationRequest(setsRequest.uri)
    expect(sets).toMatchObject({
      satisfiable: true,
      credentialSets: [{ options: [['card'], ['diploma']], required: true, satisfiable: true }],
    })
    expect(await wallet.acceptPresentationRequest(sets, { diploma: ids[0] as string })).toEqual({})
    expect((await result(setsRequest.requestId)).status).toBe('verified')
  }, 180_000)

  it("refuses a verifier that is not on the wallet's allow-list, or presents to it only when told to", async () => {
    const { wallet: wary } = await open({ trust: { verifiers: { dids: ['did:example:another-bank'] } } })
    const refused = await rejection(wary.resolvePresentationRequest((await request(degreeQuery())).uri))
    expect(refused).toMatchObject({
      code: 'untrusted_verifier',
      details: { verifier: { did: verifierDid, trust: { trusted: false, code: 'not_on_allow_list' } } },
    })
    const { wallet: asking } = await open({ trust: { verifiers: { dids: [] }, untrusted: 'ask' } })
    const { requestId, uri } = await request(degreeQuery())
    const resolved = await asking.resolvePresentationRequest(uri)
    expect(resolved.verifier.trust).toMatchObject({ trusted: false, code: 'not_on_allow_list' })
    expect((await rejection(asking.acceptPresentationRequest(resolved))).code).toBe('untrusted_verifier')
    expect((await result(requestId)).status).toBe('pending')
    expect(await asking.acceptPresentationRequest(resolved, undefined, { acceptUntrusted: true })).toEqual({})
    expect((await result(requestId)).status).toBe('verified')
  }, 180_000)

  it('runs the terminal example: preview, consent, answers from its arguments', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'attesto-terminal-'))
    try {
      const run = async (...args: string[]) =>
        (
          await promisify(execFile)(process.execPath, [exampleScript, ...args], {
            cwd: workDir,
            env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
          })
        ).stdout
      const issued = await issuerCall('POST', '/offers', issuerKey, {
        issuerId,
        credentialConfigurationId: 'diploma',
        claims: { given_name: 'Ada', degree: 'MSc Mathematics', faculty: 'Science' },
        txCode: { length: 6 },
      })
      const { requestId, uri } = await request(degreeQuery())
      const stdout = await run('--tx-code', issued.txCode, issued.uri, uri)
      expect(stdout).toContain('== Offer from University of Examples')
      expect(stdout).toContain('claims: Given name, Degree, Faculty')
      expect(stdout).toContain('transaction code: 6 numeric characters (The code sent to you)')
      expect(stdout).toMatch(/-> received Diploma, issued \d{4}-/)
      expect(stdout).toContain(`client id: decentralized_identifier:${verifierDid} (decentralized_identifier)`)
      expect(stdout).toContain('diploma: 1 matching credential(s)')
      expect(stdout).toContain('would share: Degree = MSc Mathematics; Faculty = Science (always shown)')
      expect(stdout).toMatch(/-> shared diploma=[\w-]+: accepted/)
      expect((await result(requestId)).status).toBe('verified')

      const declined = await request(degreeQuery())
      expect(await run('--request', 'decline', declined.uri)).toContain('-> request declined')
      expect((await result(declined.requestId)).status).not.toBe('verified')
    } finally {
      await rm(workDir, { recursive: true, force: true })
    }
  }, 240_000)
})
