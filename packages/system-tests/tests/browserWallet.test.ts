/// <reference lib="dom" />
import { startService, tenantWithVerifier } from '@attesto/testing'
import { createVerifierApp, loadStatusCheckConfig, type VerifierRuntime } from '@attesto/verifier'
import type { Page } from 'playwright-core'
import { chromiumAvailable, launchChromium } from './support/headlessChromium.js'
import { type IssuerProcess, startIssuerProcess } from './support/issuerProcess.js'
import { packageDirectory } from './support/packageDirectory.js'
import { serveStaticFiles } from './support/staticFiles.js'

// The wallet SDK's browser bundle (esbuild) in headless Chromium, on the holder's example page:
// a pre-authorised offer with a transaction code from an issuer process, then a presentation
// (encrypted response, direct_post.jwt) to this verifier, both on the real PostgreSQL. The wallet
// keeps its records in IndexedDB, sealed, and its keys as non-extractable WebCrypto keys.

const DIPLOMA = 'https://university.example/diploma'
const holderDir = packageDirectory('@attesto/holder')
const describeInBrowser = chromiumAvailable() ? describe : describe.skip

interface WalletPage {
  acceptOffer(
    uri: string,
    txCode: string | undefined,
  ): Promise<{ id: string; vct: string; claims: Record<string, unknown> }[]>
  present(uri: string): Promise<{ choice: Record<string, string>; verifierError: unknown }>
}
declare const attestoWallet: WalletPage

/** What the page's IndexedDB holds: the keys as the browser sees them, and every stored row as text. */
function readWalletDatabase() {
  return new Promise<{ keys: object[]; records: string }>((resolve, reject) => {
    const opening = indexedDB.open('attesto-wallet')
    opening.onerror = () => reject(opening.error)
    opening.onsuccess = () => {
      const transaction = opening.result.transaction(['keys', 'records'], 'readonly')
      const keys = transaction.objectStore('keys').getAll()
      const records = transaction.objectStore('records').getAll()
      transaction.oncomplete = async () => {
        const described = await Promise.all(
          keys.result.map(async (key: { signing: CryptoKey; agreement: CryptoKey }) => ({
            isCryptoKey: key.signing instanceof CryptoKey && key.agreement instanceof CryptoKey,
            extractable: [key.signing.extractable, key.agreement.extractable],
            type: key.signing.type,
            algorithm: key.signing.algorithm.name,
            exported: await crypto.subtle.exportKey('jwk', key.signing).then(
              () => 'exported',
              (error: DOMException) => error.name,
            ),
          })),
        )
        resolve({ keys: described, records: JSON.stringify(records.result) })
      }
    }
  })
}

describeInBrowser('the wallet SDK in a browser: the bundle in headless Chromium', () => {
  let issuer: IssuerProcess
  let verifier: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  let site: Awaited<ReturnType<typeof serveStaticFiles>>
  let chromium: Awaited<ReturnType<typeof launchChromium>>
  let page: Page
  let issuerKey = ''
  let issuerId = ''
  let bank = ''
  let verifierId = ''
  let bundleInputs: string[] = []

  beforeAll(async () => {
    const { buildBrowserBundle } = await import(`${holderDir}scripts/buildBrowserBundle.mjs`)
    bundleInputs = (await buildBrowserBundle()).inputs
    issuer = await startIssuerProcess('browser', { TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0' })
    const statusConfig = loadStatusCheckConfig({ STATUS_LIST_ALLOW_INSECURE: 'true' })
    verifier = await startService('verifier', (config, logger) => createVerifierApp(config, logger, statusConfig))
    issuerKey = (await issuer.call('POST', '/tenants', issuer.adminApiKey, { label: 'University' })).body.apiKey
    const created = (await issuer.call('POST', '/issuers', issuerKey, { display: [{ name: 'University' }] })).body
    issuerId = created.issuerId
    await issuer.call('PUT', `/issuers/${issuerId}/credential-configurations/diploma`, issuerKey, {
      vct: DIPLOMA,
      display: [{ name: 'Diploma', locale: 'en' }],
      claims: [
        { name: 'given_name', type: 'string' },
        { name: 'degree', type: 'string' },
      ],
    })
    ;({ key: bank, verifierId } = await tenantWithVerifier(verifier, 'Bank'))
    await verifier.call('PUT', `/trusted-issuers/${encodeURIComponent(created.did)}`, bank, {})
    site = await serveStaticFiles(holderDir, ['/examples/browser/', '/dist/browser/'])
    chromium = await launchChromium()
    page = await chromium.context.newPage()
    page.on('pageerror', (error) => console.error('page error:', error))
    await page.goto(`${site.url}/examples/browser/index.html`)
    await page.waitForFunction(() => 'attestoWallet' in globalThis)
  }, 300_000)
  afterAll(async () => {
    await chromium?.close()
    await site?.close()
    await verifier?.close()
    await issuer?.close()
  })

  it("bundles no server stack and neither node's storage nor its KMS", () => {
    expect(bundleInputs.some((input) => input.includes('/browser/browserPlatform.js'))).toBe(true)
    const server =
      /node_modules\/(pg|pg-pool|@electric-sql|ioredis|bullmq|express|ws|@credo-ts\/node|@credo-ts\/didcomm)\/|packages\/(storage-service|kms-adapter)\/|\/node\/nodePlatform/
    expect(bundleInputs.filter((input) => server.test(input))).toEqual([])
  })

  it('receives a credential with a transaction code and presents it; the verifier finds it verified', async () => {
    const offer = (
      await issuer.call('POST', '/offers', issuerKey, {
        issuerId,
        credentialConfigurationId: 'diploma',
        claims: { given_name: 'Ada', degree: 'MSc Mathematics' },
        txCode: { length: 6 },
      })
    ).body as { uri: string; txCode: string }
    const received = await page.evaluate(({ uri, txCode }) => attestoWallet.acceptOffer(uri, txCode), {
      uri: offer.uri,
      txCode: offer.txCode,
    })
    expect(received).toEqual([
      expect.objectContaining({ vct: DIPLOMA, claims: expect.objectContaining({ degree: 'MSc Mathematics' }) }),
    ])

    const request = await verifier.call('POST', '/presentation-requests', bank, {
      verifierId,
      dcql: {
        query: {
          credentials: [
            { id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [DIPLOMA] }, claims: [{ path: ['degree'] }] },
          ],
        },
      },
    })
    expect(request.status).toBe(201)
    const answer = await page.evaluate((uri) => attestoWallet.present(uri), request.body.uri as string)
    expect(answer).toEqual({ choice: { diploma: received[0]?.id }, verifierError: null })
    const result = (await verifier.call('GET', `/presentation-requests/${request.body.requestId}`, bank)).body
    expect(result).toMatchObject({ status: 'verified', responseMode: 'direct_post.jwt' })
    expect(JSON.stringify(result)).toContain('MSc Mathematics')
    expect(JSON.stringify(result)).not.toContain('Ada')
  }, 120_000)

  it('keeps keys as non-extractable WebCrypto keys and no claim value in the clear in IndexedDB', async () => {
    const stored = await page.evaluate(readWalletDatabase)
    expect(stored.keys.length).toBeGreaterThanOrEqual(1)
    for (const key of stored.keys) {
      expect(key).toEqual({
        isCryptoKey: true,
        extractable: [false, false],
        type: 'private',
        algorithm: 'ECDSA',
        exported: 'InvalidAccessError',
      })
    }
    expect(stored.records).toContain('"sealed":"v1.')
    for (const value of ['MSc Mathematics', 'Ada', DIPLOMA, 'given_name']) expect(stored.records).not.toContain(value)
  })

  it('opens the same wallet again after a reload, from IndexedDB', async () => {
    await page.reload()
    await page.waitForFunction(() => 'attestoWallet' in globalThis)
    const credentials = await page.evaluate(
      async () =>
        await (
          await (attestoWallet as unknown as { wallet(): Promise<{ listCredentials(): Promise<unknown[]> }> }).wallet()
        ).listCredentials(),
    )
    expect(credentials).toEqual([expect.objectContaining({ vct: DIPLOMA })])
  }, 60_000)
})
