// node packages/holder/examples/wallet.mjs <openid-credential-offer://…> [openid4vp://…] [transaction code]
import { HolderWallet, pickLocale } from '@attesto/holder'

const [offerUri, requestUri, txCode] = process.argv.slice(2)
const wallet = await HolderWallet.open({
  dataDir: './example-wallet', // embedded storage; use databaseUrl for PostgreSQL
  passphrase: process.env.WALLET_PASSPHRASE ?? 'correct horse battery staple',
  allowInsecureHttp: true, // the services of `npm start` are on http://127.0.0.1; drop this in production
})
try {
  // The preview screen: who offers what, and whether it needs a transaction code.
  const offer = await wallet.resolveOffer(offerUri)
  const [offered] = offer.credentials
  console.log(
    'offer of',
    pickLocale(offered.display, ['en'])?.name ?? offered.vct,
    'from',
    offer.issuer.credentialIssuer,
  )
  const [credential] = await wallet.acceptOffer(offer, { txCode })
  console.log('received', credential.vct, credential.claims)

  if (requestUri) {
    // The consent screen: who asks, and exactly what each matching credential would disclose.
    const request = await wallet.resolvePresentationRequest(requestUri)
    console.log('request from', request.verifier.clientId, request.verifier.trust.trusted ? '(trusted)' : '')
    const choice = {}
    for (const query of request.queries) {
      const [first] = query.candidates
      if (!first) continue
      console.log(
        query.id,
        'would disclose',
        first.disclosed.map((claim) => `${claim.path.join('.')}=${claim.value}`),
      )
      choice[query.id] = first.credential.id
    }
    const { verifierError } = await wallet.acceptPresentationRequest(request, choice)
    console.log('presented', choice, verifierError ? `refused: ${verifierError.error}` : 'accepted')
  }
} finally {
  await wallet.close()
}
