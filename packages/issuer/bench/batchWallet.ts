// The wallet side of the batch issuance benchmark (batchIssuanceBench.ts), in a process of its
// own so that the issuer's process spends only the issuer's CPU. Started with fork(); one
// message `{ url, key, issuerId, flows, proofs, inFlight }` runs `flows` full issuances (offer
// through the REST API, token, nonce, one credential request with `proofs` proofs of fresh keys),
// `inFlight` at a time, checks every answer, and replies `{ credentials, millis }`.
import { HandWallet, parseOffer } from '../tests/support/HandWallet.js'

export interface WalletRun {
  url: string
  key: string
  issuerId: string
  flows: number
  proofs: number
  inFlight: number
}

async function flow(run: WalletRun): Promise<number> {
  const offer = await fetch(`${run.url}/offers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${run.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ issuerId: run.issuerId, credentialConfigurationId: 'pass', claims: { given_name: 'Ada' } }),
  })
  if (offer.status !== 201) throw new Error(`offer: ${offer.status}`)
  const { credentialIssuer, code } = parseOffer(((await offer.json()) as { uri: string }).uri)
  const wallets = Array.from({ length: run.proofs }, () => new HandWallet())
  const first = wallets[0] as HandWallet
  const token = await first.redeem(credentialIssuer, code)
  if (token.status !== 200) throw new Error(`token: ${token.status}`)
  const nonce = await first.nonce(credentialIssuer)
  const answer = await first.credential(credentialIssuer, token.body.access_token, {
    credential_configuration_id: 'pass',
    proofs: { jwt: wallets.map((wallet) => wallet.proof(credentialIssuer, nonce)) },
  })
  if (answer.status !== 200 || answer.body.credentials.length !== run.proofs) {
    throw new Error(`credential: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`)
  }
  return run.proofs
}

process.once('message', async (run: WalletRun) => {
  let next = 0
  let credentials = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: run.inFlight }, async () => {
      while (next++ < run.flows) {
        const issued = await flow(run)
        credentials += issued
      }
    }),
  )
  process.send?.({ credentials, millis: performance.now() - started }, () => process.exit(0))
})
