import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { LocalKeyManagementService, masterKeyFromBytes } from '@attesto/kms-adapter'
import { openStorage, PostgresDatabase, PostgresStorageModule } from '@attesto/storage-service'
import { Agent, ClaimFormat, Kms, LogLevel, type ModulesMap } from '@credo-ts/core'
import { agentDependencies } from '@credo-ts/node'
import { OpenId4VcModule } from '@credo-ts/openid4vc'
import { createRuntimeAgent } from '../src/agent/createRuntimeAgent.js'
import { loadRuntimeConfig } from '../src/config/runtimeConfig.js'
import { startHttpServer } from '../src/http/startHttpServer.js'
import { JsonLogger } from '../src/logging/JsonLogger.js'

// The whole stack, end to end, over HTTP on 127.0.0.1: an issuer and a verifier built by the
// runtime (storage in the real PostgreSQL, local KMS), and a holder agent (embedded PGlite,
// local KMS). OID4VCI pre-authorised issuance of a dc+sd-jwt, then OID4VP 1.0 with DCQL and
// selective disclosure. This is the flow the issuer and verifier REST APIs will expose.

const DATABASE_URL = process.env.ATTESTO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const logger = new JsonLogger(LogLevel.off, 'test', () => {})
const VCT = 'https://attesto.example/diploma'

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function roleRuntime<M extends ModulesMap>(
  role: 'issuer' | 'verifier',
  modules: (app: import('express').Express, baseUrl: string) => M,
) {
  const port = await freePort()
  const schema = `${role}_${randomBytes(4).toString('hex')}`
  const config = loadRuntimeConfig({
    ROLE: role,
    PORT: String(port),
    DATABASE_URL,
    DATABASE_SCHEMA: schema,
    KMS_MASTER_KEY: randomBytes(32).toString('base64'),
  })
  const runtime = await createRuntimeAgent(config, logger, (app) => modules(app, config.publicBaseUrl))
  const http = await startHttpServer(runtime.app, { port, host: '127.0.0.1', logger, handleSignals: false })
  return { runtime, http, schema }
}

/** The issuer side: maps an offer's issuance metadata to an SD-JWT VC with disclosable claims. */
function startIssuer(issuerDidUrl: () => string) {
  return roleRuntime('issuer', (app, baseUrl) => ({
    openid4vc: new OpenId4VcModule({
      app,
      issuer: {
        baseUrl: `${baseUrl}/oid4vci`,
        credentialRequestToCredentialMapper: ({ holderBinding, issuanceSession }) => ({
          type: 'credentials' as const,
          format: ClaimFormat.SdJwtDc,
          credentials: holderBinding.keys.map((binding) => ({
            payload: { vct: VCT, ...(issuanceSession.issuanceMetadata?.claims as Record<string, unknown>) },
            holder: binding,
            issuer: { method: 'did' as const, didUrl: issuerDidUrl() },
            disclosureFrame: { _sd: ['given_name', 'family_name', 'degree'] },
          })),
        }),
      },
    }),
  }))
}

function startVerifier() {
  return roleRuntime('verifier', (app, baseUrl) => ({
    openid4vc: new OpenId4VcModule({ app, verifier: { baseUrl: `${baseUrl}/oid4vp` } }),
  }))
}

describe('OID4VCI + OID4VP end to end on the Attesto stack', () => {
  let issuer: Awaited<ReturnType<typeof startIssuer>>
  let verifier: Awaited<ReturnType<typeof startVerifier>>
  let holder: Agent<{ openid4vc: OpenId4VcModule }>
  let closeHolderStorage: () => Promise<void>
  let issuerDidUrl = ''

  beforeAll(async () => {
    issuer = await startIssuer(() => issuerDidUrl)
    verifier = await startVerifier()

    const holderStorage = await openStorage({ schema: 'holder', cleanup: false })
    closeHolderStorage = () => holderStorage.close()
    holder = new Agent({
      config: { allowInsecureHttpUrls: true, logger },
      dependencies: agentDependencies,
      modules: {
        storage: new PostgresStorageModule(holderStorage.storageService),
        kms: new Kms.KeyManagementModule({
          backends: [new LocalKeyManagementService({ masterKey: masterKeyFromBytes(randomBytes(32)) })],
        }),
        openid4vc: new OpenId4VcModule({}),
      },
    })
    await holder.initialize()
  })

  afterAll(async () => {
    await holder?.shutdown()
    await closeHolderStorage?.()
    const admin = new PostgresDatabase({ connectionString: DATABASE_URL, maxConnections: 1 })
    for (const side of [issuer, verifier]) {
      if (!side) continue
      await side.http.shutdown()
      await side.runtime.close()
      await admin.query(`DROP SCHEMA IF EXISTS "${side.schema}" CASCADE`)
    }
    await admin.close()
  })

  it('issues a selectively disclosable diploma and verifies only the claims asked for', async () => {
    // Issuer: a key in its KMS, a did:key, an issuer with one dc+sd-jwt configuration, an offer.
    const issuerAgent = issuer.runtime.agent
    const issuerKey = await issuerAgent.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
    const { didState } = await issuerAgent.dids.create({ method: 'key', options: { keyId: issuerKey.keyId } })
    issuerDidUrl = didState.didDocument?.verificationMethod?.[0]?.id as string
    const { issuerId } = await issuerAgent.openid4vc.issuer.createIssuer({
      credentialConfigurationsSupported: {
        diploma: {
          format: 'dc+sd-jwt',
          vct: VCT,
          cryptographic_binding_methods_supported: ['jwk'],
          credential_signing_alg_values_supported: ['ES256'],
          proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
        },
      },
    })
    const { credentialOffer } = await issuerAgent.openid4vc.issuer.createCredentialOffer({
      issuerId,
      credentialConfigurationIds: ['diploma'],
      preAuthorizedCodeFlowConfig: {},
      issuanceMetadata: { claims: { given_name: 'Ada', family_name: 'Lovelace', degree: 'MSc Mathematics' } },
    })
    expect(credentialOffer).toMatch(/^openid-credential-offer:\/\//)

    // Holder: resolve, token, credential bound to a key of its own, store.
    const resolved = await holder.openid4vc.holder.resolveCredentialOffer(credentialOffer)
    const token = await holder.openid4vc.holder.requestToken({ resolvedCredentialOffer: resolved })
    const { credentials } = await holder.openid4vc.holder.requestCredentials({
      resolvedCredentialOffer: resolved,
      ...token,
      credentialBindingResolver: async () => {
        const key = await holder.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
        return { method: 'jwk', keys: [Kms.PublicJwk.fromPublicJwk(key.publicJwk)] }
      },
    })
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
