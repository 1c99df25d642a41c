// The wallet side of the batch issuance benchmark (batchIssuanceBench.ts), in a process of its
// own so that the issuer's process spends only the issuer's CPU. Started with fork(); one
// message `{ url, key, issuerId, flows, proofs, inFlight }` runs `flows` full issuances (offer
// through the REST API, token, nonce, one credential request with `proofs` proofs of fresh keys),
// `inFlight` at a time, checks every answer, and replies `{ credentials, millis }`. With `dpop`,
// the token and credential requests carry DPoP proofs (dpopBench.ts), the server nonce fetched
// once per process and renewed from the answers' DPoP-Nonce, as a wallet keeps it.
import { HandWallet, parseOffer } from '../tests/support/HandWallet.js'
import { ath, SenderKey } from '../tests/support/senderKeys.js'

export interface WalletRun {
  url: string
  key: string
  issuerId: string
  flows: number
  proofs: number
  inFlight: number
  dpop?: boolean
}

let dpopNonce: string | undefined

/** A POST with a DPoP proof of a fresh key's (`token`) or of `key` for the access token; keeps the answer's nonce. */
async function dpopPost(url: string, key: SenderKey, body: URLSearchParams | string, token?: string) {
  dpopNonce ??= (await fetch(url.replace(/\/[^/]+$/, '/nonce'), { method: 'POST' })).headers.get('dpop-nonce') as string
  const proof = key.dpop({ htm: 'POST', htu: url, nonce: dpopNonce, ...(token ? { ath: ath(token) } : {}) })
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': token ? 'application/json' : 'application/x-www-form-urlencoded',
      dpop: proof,
      ...(token ? { authorization: `DPoP ${token}` } : {}),
    },
    body,
  })
  dpopNonce = response.headers.get('dpop-nonce') ?? dpopNonce
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked loosely
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

/** Token and credential requests with DPoP: what a flow's proofs cost the issuer. */
async function dpopFlow(credentialIssuer: string, code: string, wallet: HandWallet) {
  const key = new SenderKey()
  const token = await dpopPost(
    `${credentialIssuer}/token`,
    key,
    new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
      'pre-authorized_code': code,
    }),
  )
  if (token.status !== 200 || token.body.token_type !== 'DPoP') throw new Error(`token: ${token.status}`)
  const nonce = await wallet.nonce(credentialIssuer)
  const body = JSON.stringify({
    credential_configuration_id: 'pass',
    proofs: { jwt: [wallet.proof(credentialIssuer, nonce)] },
  })
  return dpopPost(`${credentialIssuer}/credential`, key, body, token.body.access_token)
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
  if (run.dpop) {
    const answer = await dpopFlow(credentialIssuer, code, first)
    if (answer.status !== 200)
      throw new Error(`credential: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`)
    return 1
  }
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
