import { randomBytes } from 'node:crypto'
import { createRuntimeAgent, JsonLogger, loadRuntimeConfig, startHttpServer } from '@attesto/agent-runtime'
import { LocalKeyManagementService, masterKeyFromBytes } from '@attesto/kms-adapter'
import { openStorage, PostgresDatabase, PostgresStorageModule } from '@attesto/storage-service'
import { DATABASE_URL, freePort } from '@attesto/test-servers'
import { Agent, type AgentContext, ClaimFormat, DidsApi, Kms, LogLevel, type ModulesMap } from '@credo-ts/core'
import { agentDependencies, NodeInMemoryKeyManagementStorage, NodeKeyManagementService } from '@credo-ts/node'
import {
  OpenId4VcIssuerApi,
  type OpenId4VciCredentialRequestToCredentialMapper,
  OpenId4VcModule,
  OpenId4VcVerifierApi,
} from '@credo-ts/openid4vc'
import type { Express } from 'express'
import { InMemoryStorageModule } from './InMemoryStorageService.js'

export {
  DATABASE_URL,
  describeWithRedisCluster,
  freePort,
  OwnRedisCluster,
  OwnRedisServer,
  REDIS_URL,
} from '@attesto/test-servers'
export { sendAll, settleAll, terminateBackends } from './databaseFailures.js'
export { type FuzzedEndpoint, fuzzEndpoints, fuzzedTimestamp, webhookEndpoints } from './fuzzRequests.js'
export { InMemoryStorageModule, InMemoryStorageService } from './InMemoryStorageService.js'
export { type ReceivedDelivery, WebhookReceiver, waitFor } from './WebhookReceiver.js'
export const silentLogger = new JsonLogger(LogLevel.off, 'test', () => {})

/**
 * A role's runtime agent with the given modules, served over HTTP on a free port, with storage in
 * a fresh schema of the real PostgreSQL and a local KMS. `close()` stops it and drops the schema.
 */
export function roleRuntime<M extends ModulesMap>(
  role: 'issuer' | 'verifier',
  modules: (app: Express, baseUrl: string) => M,
  env: Record<string, string> = {},
) {
  return startService(
    role,
    (config, logger) => createRuntimeAgent(config, logger, (app) => modules(app, config.publicBaseUrl)),
    env,
  )
}

/**
 * A holder wallet agent: embedded PGlite, local KMS, OpenID4VC holder. `fetch` replaces the
 * agent's HTTP client (to watch or alter what the wallet sends).
 */
export async function holderAgent(options: { fetch?: typeof fetch } = {}) {
  const storage = await openStorage({ schema: 'holder', cleanup: false })
  const agent = new Agent({
    config: { allowInsecureHttpUrls: true, logger: silentLogger },
    dependencies: { ...agentDependencies, fetch: options.fetch ?? agentDependencies.fetch },
    modules: {
      storage: new PostgresStorageModule(storage.storageService),
      kms: new Kms.KeyManagementModule({
        backends: [new LocalKeyManagementService({ masterKey: masterKeyFromBytes(randomBytes(32)) })],
      }),
      openid4vc: new OpenId4VcModule({}),
    },
  })
  await agent.initialize()
  return {
    agent,
    async close() {
      await agent.shutdown()
      await storage.close()
    },
  }
}

/**
 * Credo on its own, as a baseline for benchmarks: an agent with `modules` on in-memory storage (a
 * scan per query) and Credo's node:crypto KMS with in-memory keys.
 */
export async function baselineAgent<M extends ModulesMap>(modules: M, options: { fetch?: typeof fetch } = {}) {
  const agent = new Agent({
    config: { allowInsecureHttpUrls: true, logger: silentLogger },
    dependencies: { ...agentDependencies, fetch: options.fetch ?? agentDependencies.fetch },
    modules: {
      storage: new InMemoryStorageModule(),
      kms: new Kms.KeyManagementModule({
        backends: [new NodeKeyManagementService(new NodeInMemoryKeyManagementStorage())],
      }),
      ...modules,
    },
  })
  await agent.initialize()
  return { agent, close: () => agent.shutdown() }
}

/** A {@link baselineAgent} holder. */
export function baselineHolderAgent(options: { fetch?: typeof fetch } = {}) {
  return baselineAgent({ openid4vc: new OpenId4VcModule({}) }, options)
}

/** A URN, not an https URL: a wallet would fetch an https type's metadata from the network. */
export const VCT = 'urn:attesto:test:diploma'

/**
 * Issues a dc+sd-jwt from the offer's issuance metadata (`claims`, `issuerDidUrl`, and `vct`,
 * {@link VCT} by default), with the name and degree claims selectively disclosable.
 */
export const diplomaCredentialMapper: OpenId4VciCredentialRequestToCredentialMapper = ({
  holderBinding,
  issuanceSession,
}) => {
  const metadata = issuanceSession.issuanceMetadata as {
    claims: Record<string, unknown>
    issuerDidUrl: string
    vct?: string
  }
  return {
    type: 'credentials' as const,
    format: ClaimFormat.SdJwtDc,
    credentials: holderBinding.keys.map((binding) => ({
      payload: { vct: metadata.vct ?? VCT, ...metadata.claims },
      holder: binding,
      issuer: { method: 'did' as const, didUrl: metadata.issuerDidUrl },
      disclosureFrame: { _sd: ['given_name', 'family_name', 'degree'] },
    })),
  }
}

/** An issuer whose offers are issued by {@link diplomaCredentialMapper}. */
export function startIssuer<Extra extends ModulesMap = Record<never, never>>(extraModules?: () => Extra) {
  return roleRuntime('issuer', (app, baseUrl) => ({
    ...(extraModules?.() as Extra),
    openid4vc: new OpenId4VcModule({
      app,
      issuer: { baseUrl: `${baseUrl}/oid4vci`, credentialRequestToCredentialMapper: diplomaCredentialMapper },
    }),
  }))
}

export function startVerifier() {
  return roleRuntime('verifier', (app, baseUrl) => ({
    openid4vc: new OpenId4VcModule({ app, verifier: { baseUrl: `${baseUrl}/oid4vp` } }),
  }))
}

/**
 * A role's service (its `createApp`) on a free port, storage in a fresh schema of the real
 * PostgreSQL, local KMS, and an admin key (`env` adds or overrides variables). `publicHost`
 * names it in its public base URL instead of 127.0.0.1 (`localhost`, for a DNS name). `close()`
 * stops it and drops the schema.
 */
export async function startService<Runtime extends { app: Express; close(): Promise<void> }>(
  role: 'issuer' | 'verifier',
  createApp: (config: ReturnType<typeof loadRuntimeConfig>, logger: JsonLogger) => Promise<Runtime>,
  env: Record<string, string> = {},
  { logger = silentLogger, publicHost }: { logger?: JsonLogger; publicHost?: string } = {},
) {
  const port = await freePort()
  const schema = `${role}_${randomBytes(4).toString('hex')}`
  const adminApiKey = `admin-${randomBytes(16).toString('hex')}`
  const config = loadRuntimeConfig({
    ROLE: role,
    PORT: String(port),
    DATABASE_URL,
    DATABASE_SCHEMA: schema,
    KMS_MASTER_KEY: randomBytes(32).toString('base64'),
    ADMIN_API_KEY: adminApiKey,
    ...(publicHost ? { PUBLIC_BASE_URL: `http://${publicHost}:${port}` } : {}),
    ...env,
  })
  const runtime = await createApp(config, logger)
  const http = await startHttpServer(runtime.app, {
    port,
    host: '127.0.0.1',
    logger: silentLogger,
    handleSignals: false,
  })
  /** Calls the service's REST API; answers the status and the parsed JSON body. */
  const call = async (
    method: string,
    path: string,
    key?: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${http.url}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely in tests
      body: (text ? JSON.parse(text) : undefined) as Record<string, any>,
    }
  }
  return {
    runtime,
    http,
    schema,
    adminApiKey,
    call,
    async close() {
      await http.shutdown()
      await runtime.close()
      const admin = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await admin.close()
    },
  }
}

/** In `context` (root or a tenant's): a P-256 key in its KMS and the did:key of it. */
export async function createDidKey(context: AgentContext) {
  const { keyId } = await context.dependencyManager
    .resolve(Kms.KeyManagementApi)
    .createKey({ type: { kty: 'EC', crv: 'P-256' } })
  const { didState } = await context.dependencyManager.resolve(DidsApi).create({ method: 'key', options: { keyId } })
  return { keyId, did: didState.did as string, didUrl: didState.didDocument?.verificationMethod?.[0]?.id as string }
}

/**
 * Acting as the issuer (root context or a tenant's): a P-256 key, a did:key, and an issuer with
 * one `diploma` dc+sd-jwt configuration of type `vct` ({@link VCT} by default).
 */
export async function createDiplomaIssuer(issuerContext: AgentContext, { vct = VCT }: { vct?: string } = {}) {
  const { keyId, did, didUrl } = await createDidKey(issuerContext)
  const { issuerId } = await issuerContext.dependencyManager.resolve(OpenId4VcIssuerApi).createIssuer({
    credentialConfigurationsSupported: {
      diploma: {
        format: 'dc+sd-jwt',
        vct,
        cryptographic_binding_methods_supported: ['jwk'],
        credential_signing_alg_values_supported: ['ES256'],
        proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
      },
    },
  })
  return { issuerId, issuerDid: did, issuerDidUrl: didUrl, keyId, vct }
}

/**
 * A pre-authorised offer of `claims` (issued by {@link diplomaCredentialMapper}) from `issuer`,
 * or from a new {@link createDiplomaIssuer} of type `vct`; with a numeric transaction code of
 * `txCodeLength` digits when given (the session's `userPin`).
 */
export async function createDiplomaOffer(
  issuerContext: AgentContext,
  claims: Record<string, unknown>,
  options: { vct?: string; issuer?: Awaited<ReturnType<typeof createDiplomaIssuer>>; txCodeLength?: number } = {},
) {
  const issuer = options.issuer ?? (await createDiplomaIssuer(issuerContext, options))
  const { credentialOffer, issuanceSession } = await issuerContext.dependencyManager
    .resolve(OpenId4VcIssuerApi)
    .createCredentialOffer({
      issuerId: issuer.issuerId,
      credentialConfigurationIds: ['diploma'],
      preAuthorizedCodeFlowConfig: options.txCodeLength
        ? { txCode: { length: options.txCodeLength, input_mode: 'numeric' } }
        : {},
      issuanceMetadata: { issuerDidUrl: issuer.issuerDidUrl, claims, vct: issuer.vct },
    })
  return { credentialOffer, issuanceSession, ...issuer }
}

/** The holder agent redeems an offer, binding each credential to a new P-256 key of its own. */
export async function redeemOffer(holder: Agent<{ openid4vc: OpenId4VcModule }>, credentialOffer: string) {
  const resolvedCredentialOffer = await holder.openid4vc.holder.resolveCredentialOffer(credentialOffer)
  const token = await holder.openid4vc.holder.requestToken({ resolvedCredentialOffer })
  const { credentials } = await holder.openid4vc.holder.requestCredentials({
    resolvedCredentialOffer,
    ...token,
    credentialBindingResolver: async () => {
      const key = await holder.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
      return { method: 'jwk', keys: [Kms.PublicJwk.fromPublicJwk(key.publicJwk)] }
    },
  })
  return credentials
}

const requestSigners = new WeakMap<AgentContext, Promise<{ verifierId: string; didUrl: string }>>()

/**
 * Acting as the verifier (root context or a tenant's): a signed OID4VP 1.0 request with a DCQL
 * query for the `degree` of a credential of type `vct` ({@link VCT} by default). The verifier
 * identity (key, did:key) is made on first use and reused.
 */
export async function createDegreeRequest(verifierContext: AgentContext, { vct = VCT }: { vct?: string } = {}) {
  const verifierApi = verifierContext.dependencyManager.resolve(OpenId4VcVerifierApi)
  let signer = requestSigners.get(verifierContext)
  if (!signer) {
    signer = (async () => {
      const { didUrl } = await createDidKey(verifierContext)
      const { verifierId } = await verifierApi.createVerifier()
      return { verifierId, didUrl }
    })()
    requestSigners.set(verifierContext, signer)
  }
  const { verifierId, didUrl } = await signer
  return verifierApi.createAuthorizationRequest({
    verifierId,
    requestSigner: { method: 'did', didUrl },
    dcql: {
      query: {
        credentials: [
          { id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [vct] }, claims: [{ path: ['degree'] }] },
        ],
      },
    },
    version: 'v1',
  })
}
