// Presentations per second by wallet size, in one run:
//   npm run bench -w @attesto/holder        (after npm run build; needs PostgreSQL on 127.0.0.1:5432)
//
// Two wallets of each kind: one holding a single diploma, one holding 200 credentials of 50
// types (4 of them diplomas). The verifier asks for a diploma's degree. Kinds:
// - ours: HolderWallet on embedded storage (PGlite), credentials found by an indexed query;
// - baseline: a Credo holder agent on in-memory storage (every query a scan) and Credo's
//   node:crypto KMS.
// The issuer and verifier run in this process on the real PostgreSQL with a local KMS; requests
// are created before the clock starts, so the rate is the wallet's present() end to end
// (resolve the request, query, sign, POST, and the verifier's check).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  baselineHolderAgent,
  createDegreeRequest,
  createDiplomaOffer,
  redeemOffer,
  startIssuer,
  startVerifier,
  VCT,
} from '@attesto/testing'
import { HolderWallet } from '../src/HolderWallet.js'

const LARGE_WALLET = 200
const TYPES = 50
const PRESENTATIONS = Number(process.env.BENCH_PRESENTATIONS ?? 150)

interface BenchWallet {
  accept(offerUri: string): Promise<void>
  present(requestUri: string): Promise<void>
  close(): Promise<void>
}

async function ourWallet(dataDir: string): Promise<BenchWallet> {
  const wallet = await HolderWallet.open({ dataDir, passphrase: 'bench passphrase', allowInsecureHttp: true })
  return {
    accept: async (uri) => void (await wallet.acceptOffer(uri)),
    present: async (uri) => {
      if (!(await wallet.present(uri)).accepted) throw new Error('presentation refused')
    },
    close: () => wallet.close(),
  }
}

async function baselineWallet(): Promise<BenchWallet> {
  const { agent, close } = await baselineHolderAgent()
  const holder = agent.openid4vc.holder
  return {
    accept: async (uri) => {
      for (const { record } of await redeemOffer(agent, uri)) await agent.sdJwtVc.store({ record: record as never })
    },
    present: async (uri) => {
      const request = await holder.resolveOpenId4VpAuthorizationRequest(uri)
      const { serverResponse } = await holder.acceptOpenId4VpAuthorizationRequest({
        authorizationRequestPayload: request.authorizationRequestPayload,
        dcql: { credentials: holder.selectCredentialsForDcqlRequest(request.dcql?.queryResult as never) },
      })
      if ((serverResponse?.status ?? 0) >= 300) throw new Error('presentation refused')
    },
    close,
  }
}

async function main() {
  const issuer = await startIssuer()
  const verifier = await startVerifier()
  const dataDir = await mkdtemp(join(tmpdir(), 'attesto-wallet-bench-'))
  const offer = async (vct: string) =>
    (await createDiplomaOffer(issuer.runtime.agent.context, { given_name: 'Ada', degree: 'MSc' }, { vct }))
      .credentialOffer

  /** Fills a wallet: one diploma, or LARGE_WALLET credentials of TYPES types with every 50th a diploma. */
  async function fill(wallet: BenchWallet, size: number) {
    for (let index = 0; index < size; index++) {
      await wallet.accept(await offer(index % TYPES === 0 ? VCT : `urn:attesto:test:type-${index % TYPES}`))
    }
    return wallet
  }

  /** Presentations per second, one at a time. */
  async function rate(wallet: BenchWallet) {
    const requests = []
    for (let index = 0; index < PRESENTATIONS; index++) {
      requests.push((await createDegreeRequest(verifier.runtime.agent.context)).authorizationRequest)
    }
    await wallet.present(requests.pop() as string) // warm-up
    const started = performance.now()
    for (const uri of requests) await wallet.present(uri)
    return requests.length / ((performance.now() - started) / 1000)
  }

  try {
    console.log(`Filling wallets (1 and ${LARGE_WALLET} credentials, ${TYPES} types) …`)
    const wallets = {
      ours: [
        await fill(await ourWallet(join(dataDir, 'one')), 1),
        await fill(await ourWallet(join(dataDir, 'many')), LARGE_WALLET),
      ],
      baseline: [await fill(await baselineWallet(), 1), await fill(await baselineWallet(), LARGE_WALLET)],
    }
    console.log(`\nPresentations/s, ${PRESENTATIONS} one after another (issuer and verifier in this process):`)
    for (const [kind, [one, many]] of Object.entries(wallets) as [string, BenchWallet[]][]) {
      const small = await rate(one as BenchWallet)
      const large = await rate(many as BenchWallet)
      console.log(
        `  ${kind.padEnd(9)} 1 credential ${small.toFixed(1).padStart(6)}/s   ${LARGE_WALLET} credentials ${large.toFixed(1).padStart(6)}/s   ratio ${(large / small).toFixed(2)}`,
      )
      await one?.close()
      await many?.close()
    }
  } finally {
    await verifier.close()
    await issuer.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

await main()
