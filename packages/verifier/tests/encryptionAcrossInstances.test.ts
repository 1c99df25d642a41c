import { randomBytes } from 'node:crypto'
import { type ServiceKms, serviceKms, softHsmInstalled } from '@attesto/test-servers'
import { startService, VCT } from '@attesto/testing'
import { HandBuiltWallet, postForm } from '@attesto/testing/wallets'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'
import { atInstance, encryptWithJose, listedKey, uriAtInstance } from './support/encryptedResponses.js'

// direct_post.jwt with a key per request across two verifier instances on one PostgreSQL schema
// and one KMS, for each KMS backend: the local KMS (one master key), Vault transit and AWS KMS
// (their in-repo test servers, or the real services when VAULT_ADDR and VAULT_TOKEN, or
// AWS_KMS_ENDPOINT, are set) and PKCS#11 (a SoftHSM2 token, or the one PKCS11_MODULE names). A
// request is made on one instance, its request object served by the other, the response
// (encrypted by jose) decrypted by the other, its result read back.

type Verifier = Awaited<ReturnType<typeof startService<VerifierRuntime>>>
const backends = (['local', 'vault', 'aws', 'pkcs11'] as const).filter(
  (backend) => backend !== 'pkcs11' || softHsmInstalled || process.env.PKCS11_MODULE || process.env.CI === 'true',
)

describe.each(backends)('direct_post.jwt across two instances, %s KMS', (backend) => {
  let kms: ServiceKms
  const instances: Verifier[] = []
  const wallet = new HandBuiltWallet()
  const credential = wallet.issue(VCT, { degree: 'MSc' })
  const adminApiKey = `admin-${randomBytes(16).toString('hex')}`
  let key = ''
  let verifierId = ''
  const query = {
    credentials: [{ id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] }],
  }

  beforeAll(async () => {
    kms = await serviceKms(backend)
    console.info(`direct_post.jwt across instances running against ${kms.label}`)
    const env = {
      ...kms.env,
      DATABASE_SCHEMA: `enc_${backend}_${randomBytes(4).toString('hex')}`,
      KMS_MASTER_KEY: randomBytes(32).toString('base64'),
      ADMIN_API_KEY: adminApiKey,
    }
    instances.push(await startService('verifier', createVerifierApp, env))
    instances.push(await startService('verifier', createVerifierApp, env))
    const [first] = instances as [Verifier]
    key = (await first.call('POST', '/tenants', adminApiKey, { label: 'Bank' })).body.apiKey
    verifierId = (await first.call('POST', '/verifiers', key, {})).body.verifierId
    await first.call('PUT', `/trusted-issuers/${encodeURIComponent(wallet.issuerDid)}`, key, {})
  }, 120_000)
  afterAll(async () => {
    for (const instance of instances.reverse()) await instance.close()
    await kms?.stop()
  })

  it('makes the key on one instance; the other lists it and decrypts the response', async () => {
    const [one, other] = instances as [Verifier, Verifier]
    const created = await one.call('POST', '/presentation-requests', key, { verifierId, dcql: { query } })
    expect([created.status, created.body.responseMode]).toEqual([201, 'direct_post.jwt'])
    const fromOne = await wallet.fetchRequest(created.body.uri)
    const fromOther = await wallet.fetchRequest(uriAtInstance(created.body.uri, other.http.url))
    expect(listedKey(fromOther)).toEqual(listedKey(fromOne))
    expect(listedKey(fromOther).kid).toBe(created.body.requestId)

    const params = {
      vp_token: { diploma: [wallet.present(fromOther, credential, [credential.disclosures.degree as string])] },
      state: fromOther.payload.state,
    }
    const response = await encryptWithJose(listedKey(fromOther), params, { enc: 'A256GCM' })
    const answered = await postForm(atInstance(fromOther.payload.response_uri, other.http.url), { response })
    expect(answered.status).toBe(200)
    const result = await one.call('GET', `/presentation-requests/${created.body.requestId}`, key)
    expect(result.body).toMatchObject({ status: 'verified', credentials: [{ claims: { degree: 'MSc' } }] })
    // The key was wrapped and unwrapped by the backend under test.
    if (kms.vaultServer) expect(kms.vaultServer.requests).toMatchObject({ encrypt: 1, decrypt: 1 })
    if (kms.awsServer) expect(kms.awsServer.requests).toMatchObject({ Encrypt: 2, Decrypt: 1 })
  })

  it('gives every request its own key, and refuses on either instance a response encrypted to another', async () => {
    const [one, other] = instances as [Verifier, Verifier]
    const make = async (instance: Verifier) => {
      const created = await instance.call('POST', '/presentation-requests', key, { verifierId, dcql: { query } })
      return wallet.fetchRequest(created.body.uri)
    }
    const [a, b] = [await make(one), await make(other)]
    expect(listedKey(a).x).not.toBe(listedKey(b).x)
    const forB = {
      vp_token: { diploma: [wallet.present(b, credential, [credential.disclosures.degree as string])] },
      state: b.payload.state,
    }
    for (const instance of [one, other]) {
      const refused = await postForm(atInstance(b.payload.response_uri, instance.http.url), {
        response: await encryptWithJose(listedKey(a), forB),
      })
      expect([refused.status, refused.body.error]).toEqual([400, 'invalid_request'])
    }
    const honest = await encryptWithJose(listedKey(b), forB)
    expect((await postForm(atInstance(b.payload.response_uri, one.http.url), { response: honest })).status).toBe(200)
  })

  // The local KMS cannot be away, nor can a token be made away here; a real Vault or AWS is not ours to break.
  const noTestServer =
    backend === 'local' || backend === 'pkcs11' || process.env[backend === 'vault' ? 'VAULT_ADDR' : 'AWS_KMS_ENDPOINT']
  ;(noTestServer ? it.skip : it)(
    'answers 503 while the KMS cannot unwrap, leaving the request open for the wallet to retry',
    async () => {
      const [one, other] = instances as [Verifier, Verifier]
      const created = await one.call('POST', '/presentation-requests', key, { verifierId, dcql: { query } })
      const req = await wallet.fetchRequest(created.body.uri)
      const params = {
        vp_token: { diploma: [wallet.present(req, credential, [credential.disclosures.degree as string])] },
        state: req.payload.state,
      }
      const response = await encryptWithJose(listedKey(req), params)
      const at = atInstance(req.payload.response_uri, other.http.url)
      if (kms.vaultServer) kms.vaultServer.failNext(3, 503)
      else kms.awsServer?.throttleNext(3)
      const away = await postForm(at, { response })
      expect([away.status, away.body.error]).toEqual([503, 'temporarily_unavailable'])
      expect((await one.call('GET', `/presentation-requests/${created.body.requestId}`, key)).body.status).toBe(
        'pending',
      )
      expect((await postForm(at, { response })).status).toBe(200)
    },
  )
})
