import { Agent, Kms, X509ModuleConfig } from '@credo-ts/core'
import { OpenId4VcModule } from '@credo-ts/openid4vc'
import { HolderWalletError } from '../errors/HolderWalletError.js'
import { createWalletFetch, type WalletHttpOptions } from '../http/walletFetch.js'
import { assertStrongEnough, DEFAULT_KDF_STRENGTH, type PassphraseKdfStrength } from '../keys/passphraseKdf.js'
import { WalletKms } from '../keys/WalletKms.js'
import type { WalletPlaceOptions, WalletPlatform, WalletPlatformStorage } from '../platform/WalletPlatform.js'
import { EncryptedStorageService } from '../storage/EncryptedStorageService.js'
import { WalletKeys } from '../storage/WalletKeys.js'
import { WalletStorageModule } from '../storage/WalletStorageModule.js'
import { TrustPolicy, type TrustPolicyOptions } from '../trust/TrustPolicy.js'
import { walletAgentDependencies } from './walletAgentDependencies.js'

export interface OpenHolderWalletOptions extends WalletPlaceOptions {
  /**
   * Opens the wallet: a key derived from it with Argon2id wraps the wallet's data-encryption key,
   * under which every record is encrypted (AES-256-GCM).
   */
  passphrase: string
  /** The wallet's partition of the storage: required with `databaseUrl` (default `default` otherwise). */
  walletId?: string
  /**
   * Where records and keys live, when not where the build runs by default (node: PostgreSQL or
   * PGlite and the local KMS; the browser bundle: IndexedDB and WebCrypto).
   */
  platform?: WalletPlatform
  /** Make the wallet when the storage holds none (default true); false: `wallet_not_found`. */
  createIfMissing?: boolean
  /**
   * Argon2id strength for the passphrase (default m = 19 MiB, t = 2, p = 1; never lower). A
   * wallet stored under weaker parameters is re-wrapped under these when it opens.
   */
  passphraseKdf?: PassphraseKdfStrength
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
  storage: WalletPlatformStorage
  policy: TrustPolicy
  fetch: typeof fetch
  keys: WalletKeys
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

const WALLET_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** The storage the options name, with the checks that keep a wallet from living somewhere unexpected. */
function storageOf(options: OpenHolderWalletOptions): { walletId: string; kdf: PassphraseKdfStrength } {
  if (!options.passphrase) throw new HolderWalletError('wrong_passphrase', 'A passphrase is required')
  if (options.databaseUrl && !options.walletId) {
    throw new HolderWalletError('invalid_options', 'A wallet on a shared database needs a walletId (its partition)')
  }
  const walletId = options.walletId ?? 'default'
  if (!WALLET_ID.test(walletId)) {
    throw new HolderWalletError(
      'invalid_options',
      'walletId: 1 to 128 letters, digits, dots, colons, dashes or underscores',
    )
  }
  const kdf = options.passphraseKdf ?? DEFAULT_KDF_STRENGTH
  try {
    assertStrongEnough(kdf)
  } catch (error) {
    throw new HolderWalletError('invalid_options', (error as Error).message, { cause: error })
  }
  return { walletId, kdf }
}

/**
 * The wallet's storage (its partition unlocked with the passphrase, every record sealed), its
 * Credo agent (holder only), its KMS under the wallet's key, and its trust policy.
 */
export async function openWalletAgent(
  options: OpenHolderWalletOptions,
  platform: WalletPlatform,
): Promise<OpenWalletAgentReturn> {
  const { walletId, kdf } = storageOf(options)
  const policy = await TrustPolicy.create(options.trust, options.trustedCertificates)
  const storage = await (options.platform ?? platform).open(options)
  const partition = { storage: storage.store, walletId }
  const sealed = new EncryptedStorageService(storage.store, walletId)
  const kms = new WalletKms()
  const fetcher = createWalletFetch(options.http)
  const agent = new Agent({
    config: { allowInsecureHttpUrls: options.allowInsecureHttp ?? false },
    dependencies: walletAgentDependencies(fetcher),
    modules: {
      storage: new WalletStorageModule(sealed),
      kms: new Kms.KeyManagementModule({ backends: [kms] }),
      openid4vc: new OpenId4VcModule({}),
    },
  })
  const keys = new WalletKeys(partition, sealed, kms, kdf, storage.keyManagement)
  try {
    await keys.unlock(options.passphrase, options.createIfMissing ?? true)
    await agent.initialize()
    const x509 = agent.dependencyManager.resolve(X509ModuleConfig)
    x509.setTrustedCertificates([])
    x509.setTrustedCertificatesForVerification(presentedChainTop)
  } catch (error) {
    keys.lock()
    await agent.shutdown().catch(() => {})
    await storage.close()
    throw error
  }
  return { agent, storage, policy, fetch: fetcher, keys }
}
