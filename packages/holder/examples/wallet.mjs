// node packages/holder/examples/wallet.mjs <openid-credential-offer://…> [openid4vp://…]
import { HolderWallet } from '@attesto/holder'

const [offerUri, requestUri] = process.argv.slice(2)
const wallet = await HolderWallet.open({
  dataDir: './example-wallet', // embedded storage; use databaseUrl for PostgreSQL
  passphrase: process.env.WALLET_PASSPHRASE ?? 'correct horse battery staple',
  allowInsecureHttp: true, // the services of `npm start` are on http://127.0.0.1; drop this in production
})
try {
  const [credential] = await wallet.acceptOffer(offerUri) // add { txCode } when the offer asks for one
  console.log('received', credential.vct, credential.claims)
  const sameType = await wallet.listCredentials({ vct: credential.vct })
  console.log(`the wallet holds ${sameType.length} credential(s) of this type`)
  if (requestUri) {
    // The first matching credential answers each query; pass { select } to choose yourself.
    const { accepted, presented } = await wallet.present(requestUri)
    console.log('presented', presented, accepted ? 'accepted' : 'refused')
  }
} finally {
  await wallet.close()
}
