import { LocalKeyManagementService } from '@attesto/kms-adapter'
import { type OpenStorageReturn, openStorage, PostgresStorageModule } from '@attesto/storage-service'
import { Agent, Kms, X509ModuleConfig } from '@credo-ts/core'
import { agentDependencies } from '@credo-ts/node'
import { OpenId4VcModule } from '@credo-ts/openid4vc'
import { HolderWalletError } from '../errors/HolderWalletError.js'
import { createWalletFetch, type WalletHttpOptions } from '../http/walletFetch.js'
import { WalletKms } from '../keys/WalletKms.js'
import { walletMasterKey } from '../keys/walletKey.js'
import { TrustPolicy, type TrustPolicyOptions } from '../trust/TrustPolicy.js'

export interface OpenHolderWalletOptions {
  /** Protects the wallet's private keys (scrypt-derived key, AES-256-GCM at rest). */
  passphrase: string
  /** Embedded storage directory (PGlite). In memory when neither this nor `databaseUrl` is set. */
  dataDir?: string
  /** PostgreSQL instead of embedded storage. */
  databaseUrl?: string
  /** Allow http:// issuers and verifiers (development and tests only). */
  allowInsecureHttp?: boolean
  /** Timeouts and retries of the wallet's HTTP requests (defaults: 30 s each, GETs tried up to 3 times). */
  http?: WalletHttpOptions
  /**
   * CA certificates (PEM or base64 DER) the wallet trusts, for issuers (credentials signed under an
   * X.509 chain, `x5c`) and verifiers (requests signed under one) alike.
   */
  trustedCertificates?: string[]
  /** DID allow-lists, anchors per role, and what to do with untrusted parties (`refuse` by default). */
  trust?: TrustPolicyOptions
}

export type WalletAgent = Agent<{ openid4vc: OpenId4VcModule }>

export interface OpenWalletAgentReturn {
  agent: WalletAgent
  storage: OpenStorageReturn
  policy: TrustPolicy
  fetch: typeof fetch
}

/**
 * Credo's X.509 checks, reduced to the integrity of the presented chain: each certificate is
 * signed by the next, all in validity, and the credential or request signed by the leaf. Whether
 * the chain leads to an anchor the wallet trusts is the {@link TrustPolicy}'s decision, taken
 * on every credential and request, so that an `ask` policy can show an untrusted party first.
 */
function presentedChainTop(_: unknown, context: { certificateChain: { toString(format: 'base64'): string }[] }) {
  const top = context.certificateChain[context.certificateChain.length - 1]
  return top ? [top.toString('base64')] : []
}

/** The wallet's storage, its Credo agent (holder only), its KMS unlocked by the passphrase, and its trust policy. */
export async function openWalletAgent(options: OpenHolderWalletOptions): Promise<OpenWalletAgentReturn> {
  if (!options.passphrase) throw new HolderWalletError('wrong_passphrase', 'A passphrase is required')
  const policy = await TrustPolicy.create(options.trust, options.trustedCertificates)
  const storage = await openStorage({
    schema: 'holder',
    databaseUrl: options.databaseUrl,
    pgliteDataDir: options.dataDir,
    cleanup: false,
  })
  const kms = new WalletKms()
  const fetcher = createWalletFetch(options.http)
  const agent = new Agent({
    config: { allowInsecureHttpUrls: options.allowInsecureHttp ?? false },
    dependencies: { ...agentDependencies, fetch: fetcher },
    modules: {
      storage: new PostgresStorageModule(storage.storageService),
      kms: new Kms.KeyManagementModule({ backends: [kms] }),
      openid4vc: new OpenId4VcModule({}),
    },
  })
  try {
    await agent.initialize()
    const x509 = agent.dependencyManager.resolve(X509ModuleConfig)
    x509.setTrustedCertificates([])
    x509.setTrustedCertificatesForVerification(presentedChainTop)
    kms.unlock(new LocalKeyManagementService({ masterKey: await walletMasterKey(agent.context, options.passphrase) }))
  } catch (error) {
    await agent.shutdown().catch(() => {})
    await storage.close()
    throw error
  }
  return { agent, storage, policy, fetch: fetcher }
}
