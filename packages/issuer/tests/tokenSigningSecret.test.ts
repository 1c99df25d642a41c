import { randomBytes } from 'node:crypto'
import { startService } from '@attesto/testing'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { loadBatchConfig } from '../src/batches/batchConfig.js'
import { loadIssuerProtocolConfig } from '../src/protocol/protocolConfig.js'
import { HandWallet, parseOffer } from './support/HandWallet.js'
import { closeSharingSchema, tenantWithIssuer } from './support/issuerFixture.js'

// With TOKEN_SIGNING_SECRET, tokens and nonces are HS256 under a per-issuer key shared by the
// instances (no KMS call), the credential is still signed by the issuer's key in the KMS, and an
// instance with another secret accepts none of them.

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

const header = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0] as string, 'base64url').toString())

/**
 * An offer made on `made`, redeemed at `at.redeem`, its nonce taken at `at.nonce` (both HS256):
 * the credential request is refused at `at.stranger` (401 invalid_token) and answered at
 * `at.issue` with an ES256 credential.
 */
async function issueAcross(
  made: Service,
  key: string,
  issuerId: string,
  at: { redeem: Service; nonce: Service; stranger: Service; issue: Service },
) {
  const wallet = new HandWallet()
  const created = await made.call('POST', '/offers', key, {
    issuerId,
    credentialConfigurationId: 'pass',
    claims: { given_name: 'Ada' },
  })
  const offer = parseOffer(created.body.uri)
  const url = (service: Service) => offer.credentialIssuer.replace('http://issuer.test', service.http.url)
  const token = await wallet.redeem(url(at.redeem), offer.code)
  expect(header(token.body.access_token)).toMatchObject({ alg: 'HS256', typ: 'at+jwt' })
  const nonce = await wallet.nonce(url(at.nonce))
  expect(header(nonce).alg).toBe('HS256')
  const request = {
    credential_configuration_id: 'pass',
    proofs: { jwt: [wallet.proof(offer.credentialIssuer, nonce)] },
  }

  const refused = await wallet.credential(url(at.stranger), token.body.access_token, request)
  expect(refused).toMatchObject({ status: 401, body: { error: 'invalid_token' } })

  const issued = await wallet.credential(url(at.issue), token.body.access_token, request)
  expect(issued.status).toBe(200)
  expect(header(issued.body.credentials[0].credential)).toMatchObject({ alg: 'ES256', typ: 'dc+sd-jwt' })
}

describe('token signing secret', () => {
  const env = {
    PUBLIC_BASE_URL: 'http://issuer.test',
    KMS_MASTER_KEY: randomBytes(32).toString('base64'),
    TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0',
  }
  const withSecret =
    (secret: string) =>
    (config: Parameters<typeof createIssuerApp>[0], logger: Parameters<typeof createIssuerApp>[1]) =>
      createIssuerApp(config, logger, loadBatchConfig({}), loadIssuerProtocolConfig({ TOKEN_SIGNING_SECRET: secret }))
  const secret = randomBytes(32).toString('base64')
  let a: Service
  let b: Service
  let stranger: Service
  let key = ''
  let issuerId = ''

  beforeAll(async () => {
    a = await startService('issuer', withSecret(secret), env)
    b = await startService('issuer', withSecret(secret), { ...env, DATABASE_SCHEMA: a.schema })
    stranger = await startService('issuer', withSecret(randomBytes(32).toString('base64')), {
      ...env,
      DATABASE_SCHEMA: a.schema,
    })
    ;({ key, issuerId } = await tenantWithIssuer(a, {
      label: 'Secret',
      configurationId: 'pass',
      vct: 'https://issuer.test/pass',
      claims: [{ name: 'given_name', type: 'string' }],
    }))
  })
  afterAll(async () => {
    await stranger?.close()
    await b?.close()
    await a?.close()
  })

  it('issues with HS256 tokens across instances sharing the secret, and refuses them elsewhere', async () => {
    await issueAcross(a, key, issuerId, { redeem: a, nonce: b, stranger, issue: b })
  })
})

// Without TOKEN_SIGNING_SECRET, an issuer on the local KMS derives its token secret from the
// master key: instances sharing the master key accept each other's tokens, an instance with
// another master key refuses them, and one started after a rotation (the old key among
// LOCAL_KMS_PREVIOUS_MASTER_KEYS) still accepts tokens made before it.
describe('token secret derived from the local KMS master key', () => {
  const masterKey = randomBytes(32).toString('base64')
  const base = { PUBLIC_BASE_URL: 'http://issuer.test', TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0' }
  const services: Service[] = []
  afterAll(() => closeSharingSchema(services))

  it('issues with HS256 tokens on every instance sharing the master key, before and after a rotation', async () => {
    const start = async (env: Record<string, string>) => {
      const service = await startService('issuer', createIssuerApp, {
        ...base,
        ...(services[0] ? { DATABASE_SCHEMA: services[0].schema } : {}),
        ...env,
      })
      services.push(service)
      return service
    }
    const a = await start({ KMS_MASTER_KEY: masterKey })
    const b = await start({ KMS_MASTER_KEY: masterKey })
    const rotated = await start({
      KMS_MASTER_KEY: randomBytes(32).toString('base64'),
      LOCAL_KMS_PREVIOUS_MASTER_KEYS: masterKey,
    })
    const stranger = await start({ KMS_MASTER_KEY: randomBytes(32).toString('base64') })
    const { key, issuerId } = await tenantWithIssuer(a, {
      label: 'Derived',
      configurationId: 'pass',
      vct: 'https://issuer.test/pass',
      claims: [{ name: 'given_name', type: 'string' }],
    })
    await issueAcross(a, key, issuerId, { redeem: a, nonce: b, stranger, issue: rotated })
  })
})
