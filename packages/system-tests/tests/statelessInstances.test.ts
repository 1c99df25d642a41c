import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { HolderWallet } from '@attesto/holder'
import { DevelopmentCa } from '@attesto/protocol-kit'
import { PostgresDatabase } from '@attesto/storage-service'
import {
  initSoftHsmToken,
  RoundRobinProxy,
  requireSoftHsm,
  type SoftHsmDirectory,
  softHsmDirectory,
  softHsmInstalled,
} from '@attesto/test-servers'
import { DATABASE_URL, freePort, VCT } from '@attesto/testing'
import { ServiceProcess } from './support/serviceProcess.js'

// Two issuer processes and two verifier processes on the same storage (one schema per role in
// the real PostgreSQL) and the same KMS, each pair behind a round-robin balancer, so consecutive
// requests of one flow land on different instances. A wallet takes a diploma through the issuers
// and presents it (encrypted, direct_post.jwt) through the verifiers; in the second run an issuer
// is killed between the token and the credential request. Once per KMS backend:
// - local: one master key per role;
// - pkcs11: one SoftHSM2 token for both roles (the shared topology; keys apart by their labels),
//   the verifiers' PIN read from PKCS11_PIN_FILE. Under CI a missing SoftHSM fails this run.

/** The KMS variables of each role's instances, and what to remove afterwards. */
interface KmsSetup {
  env: Record<'issuer' | 'verifier', Record<string, string>>
  dispose(): void
}

const KMS_SETUPS: Record<string, () => KmsSetup> = {
  local: () => ({
    env: {
      issuer: { KMS_MASTER_KEY: randomBytes(32).toString('base64') },
      verifier: { KMS_MASTER_KEY: randomBytes(32).toString('base64') },
    },
    dispose: () => {},
  }),
  pkcs11: () => {
    const module = requireSoftHsm()
    const directory: SoftHsmDirectory = softHsmDirectory()
    const { tokenLabel, pin } = initSoftHsmToken(directory.conf)
    const pinFile = join(directory.dir, 'pin')
    writeFileSync(pinFile, `${pin}\n`, { mode: 0o600 })
    const common = { KMS_BACKEND: 'pkcs11', PKCS11_MODULE: module, PKCS11_TOKEN_LABEL: tokenLabel }
    return {
      env: {
        issuer: { ...common, PKCS11_PIN: pin, SOFTHSM2_CONF: directory.conf },
        verifier: { ...common, PKCS11_PIN_FILE: pinFile, SOFTHSM2_CONF: directory.conf },
      },
      dispose: () => directory.dispose(),
    }
  },
}
const kmsBackends = Object.keys(KMS_SETUPS).filter(
  (name) => name !== 'pkcs11' || softHsmInstalled || process.env.CI === 'true',
)

describe.each(kmsBackends)('stateless services: two instances of each role (%s KMS)', (kmsBackend) => {
  const schemas = {
    issuer: `stateless_issuer_${randomBytes(3).toString('hex')}`,
    verifier: `stateless_verifier_${randomBytes(3).toString('hex')}`,
  }
  const adminApiKey = `admin-${randomBytes(16).toString('hex')}`
  const proxies = { issuer: new RoundRobinProxy(), verifier: new RoundRobinProxy() }
  const instances: Record<'issuer' | 'verifier', ServiceProcess[]> = { issuer: [], verifier: [] }
  let wallet: HolderWallet
  let kms: KmsSetup | undefined

  const call = async (role: 'issuer' | 'verifier', method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(`${proxies[role].url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely in tests
    const json = (await response.json()) as any
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`)
    return json
  }

  beforeAll(async () => {
    kms = KMS_SETUPS[kmsBackend]?.()
    for (const role of ['issuer', 'verifier'] as const) {
      await proxies[role].listen()
      const env = {
        DATABASE_URL,
        DATABASE_SCHEMA: schemas[role],
        ...kms?.env[role],
        ADMIN_API_KEY: adminApiKey,
        PUBLIC_BASE_URL: proxies[role].url,
        // The issuers' status lists are behind the balancer on 127.0.0.1.
        STATUS_LIST_ALLOW_INSECURE: 'true',
      }
      instances[role] = await Promise.all(
        [await freePort(), await freePort()].map((port) => new ServiceProcess(role, port, env).start()),
      )
      proxies[role].upstreams = instances[role].map((instance) => instance.url)
    }
    wallet = await HolderWallet.open({ inMemory: true, passphrase: 'stateless test', allowInsecureHttp: true })
  }, 120_000)

  afterAll(async () => {
    await wallet?.close()
    for (const role of ['issuer', 'verifier'] as const) {
      for (const instance of instances[role]) await instance.kill()
      await proxies[role].close()
    }
    const admin = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
    for (const schema of Object.values(schemas)) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await admin.close()
    kms?.dispose()
  })

  /** Through the issuer balancer: a tenant, an issuer, a configuration and an offer. */
  async function makeOffer() {
    const { apiKey } = await call('issuer', 'POST', '/tenants', adminApiKey, { label: 'University' })
    const issuer = await call('issuer', 'POST', '/issuers', apiKey, {})
    await call('issuer', 'PUT', `/issuers/${issuer.issuerId}/credential-configurations/diploma`, apiKey, {
      vct: VCT,
      claims: [
        { name: 'given_name', type: 'string' },
        { name: 'degree', type: 'string' },
      ],
    })
    const offer = await call('issuer', 'POST', '/offers', apiKey, {
      issuerId: issuer.issuerId,
      credentialConfigurationId: 'diploma',
      claims: { given_name: 'Ada', degree: 'MSc' },
    })
    return { apiKey, issuerDid: issuer.did as string, offer }
  }

  it('issues and verifies with every request of the flow alternating between instances', async () => {
    const { apiKey, issuerDid, offer } = await makeOffer()
    const [credential] = await wallet.acceptOffer(offer.uri)
    expect(credential?.claims).toEqual({ given_name: 'Ada', degree: 'MSc' })
    // Issued once, and the wallet said it kept it (its credential_accepted notification).
    expect((await call('issuer', 'GET', `/offers/${offer.offerId}`, apiKey)).status).toBe('credential_accepted')
    const protocolCalls = proxies.issuer.served.filter((entry) => entry.path.startsWith('/oid4vci'))
    expect(new Set(protocolCalls.map((entry) => entry.upstream))).toEqual(new Set([0, 1]))

    const bank = (await call('verifier', 'POST', '/tenants', adminApiKey, { label: 'Bank' })).apiKey
    const { verifierId } = await call('verifier', 'POST', '/verifiers', bank, {})
    await call('verifier', 'PUT', `/trusted-issuers/${encodeURIComponent(issuerDid)}`, bank, {})
    const request = await call('verifier', 'POST', '/presentation-requests', bank, {
      verifierId,
      dcql: {
        query: {
          credentials: [
            { id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] },
          ],
        },
      },
    })
    // The verifiers wrap each request's response key in their KMS (on pkcs11: AES-GCM in the token).
    expect(request.responseMode).toBe('direct_post.jwt')
    expect((await wallet.present(request.uri)).accepted).toBe(true)
    const result = await call('verifier', 'GET', `/presentation-requests/${request.requestId}`, bank)
    expect(result.status).toBe('verified')
    expect(result.credentials[0].claims).toEqual({ degree: 'MSc' })
    const verifierCalls = proxies.verifier.served.filter((entry) => entry.path.startsWith('/oid4vp'))
    expect(new Set(verifierCalls.map((entry) => entry.upstream))).toEqual(new Set([0, 1]))
  }, 60_000)

  it('signs with the verifier certificate uploaded through one instance on the other at once, for an x509_hash request', async () => {
    const { issuerDid, offer } = await makeOffer()
    const ca = await DevelopmentCa.create()
    const trusting = await HolderWallet.open({
      inMemory: true,
      passphrase: 'stateless x509 test',
      allowInsecureHttp: true,
      trustedCertificates: [ca.rootBase64()],
    })
    try {
      await trusting.acceptOffer(offer.uri)
      const bank = (await call('verifier', 'POST', '/tenants', adminApiKey, { label: 'Bank' })).apiKey
      const { verifierId } = await call('verifier', 'POST', '/verifiers', bank, {})
      await call('verifier', 'PUT', `/trusted-issuers/${encodeURIComponent(issuerDid)}`, bank, {})
      const dcql = {
        query: {
          credentials: [
            { id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [VCT] }, claims: [{ path: ['degree'] }] },
          ],
        },
      }
      // Both instances read the verifier before it has a certificate.
      for (let i = 0; i < 2; i++) await call('verifier', 'POST', '/presentation-requests', bank, { verifierId, dcql })
      const { csr } = await call('verifier', 'POST', `/verifiers/${verifierId}/certificate-signing-request`, bank, {
        commonName: 'Bank',
      })
      await call('verifier', 'PUT', `/verifiers/${verifierId}/certificate`, bank, { chain: await ca.issue(csr) })
      const request = await call('verifier', 'POST', '/presentation-requests', bank, {
        verifierId,
        dcql,
        clientIdPrefix: 'x509_hash',
      })
      expect(request.clientId).toMatch(/^x509_hash:/)
      expect((await trusting.present(request.uri)).accepted).toBe(true)
      expect((await call('verifier', 'GET', `/presentation-requests/${request.requestId}`, bank)).status).toBe(
        'verified',
      )
      // The upload, the request, the request object and the response did not all land on one instance.
      const served = proxies.verifier.served.slice(-6).map((entry) => entry.upstream)
      expect(new Set(served)).toEqual(new Set([0, 1]))
    } finally {
      await trusting.close()
    }
  }, 60_000)

  it('completes the flow when an instance dies between the token and the credential request, issuing once', async () => {
    const { apiKey, offer } = await makeOffer()
    const before = (await wallet.listCredentials()).length
    proxies.issuer.afterResponse = async (path) => {
      if (!path.endsWith('/token')) return
      proxies.issuer.afterResponse = undefined
      await instances.issuer[0]?.kill()
    }
    const received = await wallet.acceptOffer(offer.uri)
    expect(received).toHaveLength(1)
    expect((await wallet.listCredentials()).length).toBe(before + 1)
    const status = await call('issuer', 'GET', `/offers/${offer.offerId}`, apiKey)
    expect(status.status).toBe('credential_accepted')
    // The dead instance served nothing after the token request.
    const afterToken = proxies.issuer.served.slice(
      proxies.issuer.served.findLastIndex((e) => e.path.endsWith('/token')) + 1,
    )
    expect(afterToken.every((entry) => entry.upstream === 1)).toBe(true)
  }, 60_000)
})
