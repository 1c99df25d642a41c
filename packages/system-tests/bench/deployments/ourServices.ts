import { randomBytes } from 'node:crypto'
import { PostgresDatabase } from '@attesto/storage-service'
import { freePort } from '@attesto/testing'
import { ServiceProcess } from '../../tests/support/serviceProcess.js'
import type { StepClient } from '../loadgen/StepClient.js'
import {
  DEGREE_QUERY,
  type Deployment,
  OFFERED_CLAIMS,
  type PresentationResult,
  TX_CODE_LENGTH,
  VCT,
} from './Deployment.js'

/** A variant of our services: its name in the tables, the environment it adds, how it asks for responses. */
export interface OurServicesVariant {
  name: string
  env?: Record<string, string>
  /** The `responseMode` of its presentation requests (the service's default when absent). */
  responseMode?: 'direct_post' | 'direct_post.jwt'
  /** A CA certificate (PEM or base64 DER) the verifier tenant trusts, for credentials under X.509 chains (mdocs). */
  trustAnchor?: string
  /** Another build of the repository (its absolute path) whose services to run, to compare two versions in one run. */
  tree?: string
}

/** A set-up call through a service's REST API with its tenant's API key (expecting 201 for POST, 200 for PUT by default). */
// biome-ignore lint/suspicious/noExplicitAny: set-up answers are read loosely
export type RestSetup = (path: string, json?: unknown, method?: 'GET' | 'POST' | 'PUT', status?: number) => Promise<any>

/** Our services as a deployment, with set-up access for variants on the same processes. */
export interface OurDeployment extends Deployment {
  setup: { issuer: RestSetup; verifier: RestSetup }
  /** The DID issuer the offers come from (its `diploma` configuration). */
  issuerId: string
  /** The same processes and tenants, offering credentials of another issuer of the tenant. */
  withIssuer(name: string, issuerId: string, trustAnchor?: string): Deployment
}

/** A new issuer of the tenant (`body` as for `POST /issuers`) with the `diploma` configuration. */
export async function diplomaIssuer(setup: RestSetup, body: object): Promise<{ issuerId: string; did: string }> {
  const { issuerId, did } = await setup('/issuers', body)
  const claims = Object.keys(OFFERED_CLAIMS).map((name) => ({ name, type: 'string', required: true }))
  await setup(`/issuers/${issuerId}/credential-configurations/diploma`, { vct: VCT, claims }, 'PUT')
  return { issuerId, did }
}

/**
 * Our issuer and verifier services, one process each (`dist/src/server.js`), on `databaseUrl`
 * (a fresh schema per role, dropped on close) with the local KMS, set up and driven through their
 * REST APIs with tenant API keys: an issuer (did:key, like Credo alone's) with a `diploma`
 * configuration, and a verifier tenant that trusts it.
 */
export async function startOurServices(
  client: StepClient,
  databaseUrl: string,
  variant: OurServicesVariant = { name: 'ours' },
): Promise<OurDeployment> {
  const admin = `admin-${randomBytes(16).toString('hex')}`
  const suffix = randomBytes(3).toString('hex')
  const schemas = { issuer: `bench_issuer_${suffix}`, verifier: `bench_verifier_${suffix}` }
  const services = await Promise.all(
    (['issuer', 'verifier'] as const).map(async (role) =>
      new ServiceProcess(
        role,
        await freePort(),
        {
          DATABASE_URL: databaseUrl,
          DATABASE_SCHEMA: schemas[role],
          KMS_MASTER_KEY: randomBytes(32).toString('base64'),
          ADMIN_API_KEY: admin,
          // One load generator is one client address: a limit it cannot reach keeps the limiter on the path.
          TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '100000000',
          PROTOCOL_REQUESTS_PER_MINUTE_PER_ADDRESS: '100000000',
          API_REQUESTS_PER_MINUTE_PER_TENANT: '100000000',
          // The issuer's status lists are on 127.0.0.1 here.
          STATUS_LIST_ALLOW_INSECURE: 'true',
          // As in production: the access log writes its line for every request.
          LOG_LEVEL: 'info',
          // The tenant's OpenID provider of the authorization code flow is on 127.0.0.1 here.
          WEBHOOK_ALLOW_INSECURE: 'true',
          ...variant.env,
        },
        variant.tree ? `${variant.tree}/packages/${role}/dist/src/server.js` : undefined,
      ).start(),
    ),
  )
  const [issuer, verifier] = services as [ServiceProcess, ServiceProcess]
  const close = async () => {
    await issuer.kill()
    await verifier.kill()
    const database = new PostgresDatabase({ connectionString: databaseUrl, maxConnections: 1 })
    for (const schema of Object.values(schemas)) await database.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await database.close()
  }
  try {
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` })
    const setupCall =
      (base: string, key: string): RestSetup =>
      (path, json, method = 'POST', status = method === 'POST' ? 201 : 200) =>
        client.json('setup', `${base}${path}`, {
          method,
          headers: bearer(key),
          ...(json === undefined ? {} : { json }),
          status,
        })
    const issuerKey = (await setupCall(issuer.url, admin)('/tenants', { label: 'University' })).apiKey
    const verifierKey = (await setupCall(verifier.url, admin)('/tenants', { label: 'Bank' })).apiKey
    const setup = { issuer: setupCall(issuer.url, issuerKey), verifier: setupCall(verifier.url, verifierKey) }
    const { issuerId, did } = await diplomaIssuer(setup.issuer, { didMethod: 'key' })
    const { verifierId } = await setup.verifier('/verifiers', {})
    await setup.verifier(`/trusted-issuers/${encodeURIComponent(did)}`, {}, 'PUT')
    if (variant.trustAnchor) await setup.verifier('/trust-anchors/bench', { certificate: variant.trustAnchor }, 'PUT')
    const deployment = (name: string, offeringIssuerId: string, trustAnchor?: string): Deployment => ({
      name,
      servicePids: { issuer: issuer.pid, verifier: verifier.pid },
      serviceUrls: { issuer: issuer.url, verifier: verifier.url },
      output: () => issuer.output + verifier.output,
      close,
      createOffer: async (stepClient) => {
        const offer = await stepClient.json('POST /offers (REST)', `${issuer.url}/offers`, {
          headers: bearer(issuerKey),
          json: {
            issuerId: offeringIssuerId,
            credentialConfigurationId: 'diploma',
            claims: OFFERED_CLAIMS,
            txCode: { length: TX_CODE_LENGTH },
          },
          status: 201,
        })
        return { uri: offer.uri, txCode: offer.txCode, ...(trustAnchor ? { trustAnchor } : {}) }
      },
      createRequest: async (stepClient, query = DEGREE_QUERY) => {
        const request = await stepClient.json(
          'POST /presentation-requests (REST)',
          `${verifier.url}/presentation-requests`,
          {
            headers: bearer(verifierKey),
            json: {
              verifierId,
              dcql: { query },
              ...(variant.responseMode ? { responseMode: variant.responseMode } : {}),
            },
            status: 201,
          },
        )
        return { requestId: request.requestId, uri: request.uri }
      },
      result: async (stepClient, requestId) =>
        (await stepClient.json(
          'GET /presentation-requests/:id (REST)',
          `${verifier.url}/presentation-requests/${requestId}`,
          {
            headers: bearer(verifierKey),
          },
        )) as PresentationResult,
    })
    return {
      ...deployment(variant.name, issuerId),
      setup,
      issuerId,
      withIssuer: deployment,
    }
  } catch (error) {
    await close()
    throw error
  }
}
