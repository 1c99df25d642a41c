import { HolderWallet } from '@attesto/holder'
import { givenNameQuery, startService } from '@attesto/testing'
import { createVerifierApp, loadStatusCheckConfig, type VerifierRuntime } from '@attesto/verifier'
import { type IssuerProcess, startIssuerProcess } from './support/issuerProcess.js'

// Revocation end to end, through the REST APIs and the wallet SDK: an issuer process (status
// lists re-signed every second), this verifier (status lists fetched from 127.0.0.1), and a
// wallet. Issue, present, suspend, reinstate, revoke; then the issuer goes away.

const PASS = 'https://issuer.test/pass'
const INTERVAL_MILLIS = 1_000
/** A change shows in the served token within one interval, and in a verifier's cache within its ttl. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 2 * INTERVAL_MILLIS + 600))

describe('revocation end to end', () => {
  let issuer: IssuerProcess
  let verifier: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  let wallet: HolderWallet
  let issuerKey = ''
  let issuerId = ''
  let issuerDid = ''
  let bank = ''
  let verifierId = ''

  const issuerCall = (method: string, path: string, key: string, body?: unknown) => issuer.call(method, path, key, body)

  /** An offer through the issuer's API, accepted by the wallet: the offer id and the wallet's credential id. */
  async function issue() {
    const offer = await issuerCall('POST', '/offers', issuerKey, {
      issuerId,
      credentialConfigurationId: 'pass',
      claims: { given_name: 'Ada' },
    })
    const [credential] = await wallet.acceptOffer(offer.body.uri)
    return { offerId: offer.body.offerId as string, credentialId: credential?.id as string }
  }

  /** A presentation request answered with one chosen credential: the stored outcome. */
  async function present(credentialId: string, extra: object = {}) {
    const request = await verifier.call('POST', '/presentation-requests', bank, {
      verifierId,
      dcql: { query: givenNameQuery(PASS) },
      ...extra,
    })
    await wallet.present(request.body.uri, { select: () => credentialId })
    return (await verifier.call('GET', `/presentation-requests/${request.body.requestId}`, bank)).body
  }

  const setStatus = async (offerId: string, status: string) =>
    (await issuerCall('POST', `/offers/${offerId}/status`, issuerKey, { status })).body

  beforeAll(async () => {
    issuer = await startIssuerProcess('revocation', {
      STATUS_LIST_UPDATE_INTERVAL_SECONDS: String(INTERVAL_MILLIS / 1000),
    })
    const statusConfig = loadStatusCheckConfig({
      STATUS_LIST_ALLOW_INSECURE: 'true',
      STATUS_LIST_FETCH_TIMEOUT_MILLIS: '1000',
    })
    verifier = await startService('verifier', (config, logger) => createVerifierApp(config, logger, statusConfig))
    wallet = await HolderWallet.open({ inMemory: true, passphrase: 'revocation test', allowInsecureHttp: true })

    issuerKey = (await issuerCall('POST', '/tenants', issuer.adminApiKey, { label: 'Transit' })).body.apiKey
    ;({ issuerId, did: issuerDid } = (await issuerCall('POST', '/issuers', issuerKey, {})).body)
    const configuration = await issuerCall('PUT', `/issuers/${issuerId}/credential-configurations/pass`, issuerKey, {
      vct: PASS,
      claims: [{ name: 'given_name', type: 'string' }],
    })
    expect(configuration.body).toMatchObject({ revocable: true, suspendable: true })
    bank = (await verifier.call('POST', '/tenants', verifier.adminApiKey, { label: 'Bank' })).body.apiKey
    verifierId = (await verifier.call('POST', '/verifiers', bank, {})).body.verifierId
    await verifier.call('PUT', `/trusted-issuers/${encodeURIComponent(issuerDid)}`, bank, {})
  }, 180_000)

  afterAll(async () => {
    await wallet?.close()
    await verifier?.close()
    await issuer?.close()
  })

  it('verifies, then rejects a suspended credential, verifies it reinstated, and rejects it revoked', async () => {
    const { offerId, credentialId } = await issue()
    expect(await wallet.credentialStatus(credentialId)).toEqual({ status: 'valid' })
    expect(await present(credentialId)).toMatchObject({ status: 'verified' })

    expect(await setStatus(offerId, 'suspended')).toMatchObject({ status: 'suspended', changed: true })
    await settle()
    expect((await present(credentialId)).reason).toMatchObject({ code: 'credential_suspended' })
    expect(await wallet.credentialStatus(credentialId)).toEqual({ status: 'suspended' })

    expect(await setStatus(offerId, 'valid')).toMatchObject({ status: 'valid', changed: true })
    await settle()
    expect(await present(credentialId)).toMatchObject({ status: 'verified' })

    expect(await setStatus(offerId, 'revoked')).toMatchObject({ status: 'revoked', changed: true })
    await settle()
    const revoked = await present(credentialId)
    expect(revoked).toMatchObject({ status: 'rejected', reason: { code: 'credential_revoked' } })
    expect(await wallet.credentialStatus(credentialId)).toEqual({ status: 'revoked' })
    expect((await issuerCall('GET', `/offers/${offerId}`, issuerKey)).body.credentialStatus.status).toBe('revoked')
    expect((await setStatus(offerId, 'valid')).error.code).toBe('credential_revoked')
  }, 120_000)

  it('fetches a list once for many concurrent checks of credentials on it', async () => {
    const { credentialId } = await issue()
    await settle()
    verifier.runtime.didCache.cache.clearLocal()
    const before = verifier.runtime.statusLists.fetches
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => present(credentialId)))
    expect(outcomes.every((outcome) => outcome.status === 'verified')).toBe(true)
    expect(verifier.runtime.statusLists.fetches - before).toBeLessThanOrEqual(1)
  }, 120_000)

  it('fails closed when the status list cannot be fetched, and accepts flagged when the request says so', async () => {
    const { credentialId } = await issue()
    await issuer.kill()
    await settle()
    const closed = await present(credentialId)
    expect(closed).toMatchObject({ status: 'rejected', reason: { code: 'status_unavailable' } })
    const open = await present(credentialId, { statusUnavailable: 'accept' })
    expect(open).toMatchObject({ status: 'verified' })
    expect(open.credentials[0].statusUnavailable).toBe(true)
    expect((await wallet.credentialStatus(credentialId)).status).toBe('unavailable')
  }, 120_000)
})
