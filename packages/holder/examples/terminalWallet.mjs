// A wallet in the terminal: prints the preview screen of an offer and the consent screen of a
// presentation request, and answers them from its arguments, as a person would with buttons.
//
//   node packages/holder/examples/terminalWallet.mjs [options] [<openid-credential-offer://…>] [<openid4vp://…>]
//
//   --tx-code <code>        the transaction code the issuer sent (when the preview asks for one)
//   --offer decline         decline the offer instead of accepting it
//   --request decline       decline the request (the verifier is told access_denied)
//   --choose <query>=<n>    present the n-th candidate (from 1) for that query; default the first
//   --accept-untrusted      go ahead with an issuer or verifier the wallet does not trust
//   --trust-ca <pem file>   a CA certificate to trust; --ask: ask about untrusted parties instead of refusing
//   --locale <tag>          preferred language of names and labels (default en)
//   --data-dir <dir>        where the wallet lives (default ./example-wallet)
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { claimLabel, HolderWallet, HolderWalletError, pickLocale } from '@attesto/holder'

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'tx-code': { type: 'string' },
    offer: { type: 'string', default: 'accept' },
    request: { type: 'string', default: 'share' },
    choose: { type: 'string', multiple: true, default: [] },
    'accept-untrusted': { type: 'boolean', default: false },
    'trust-ca': { type: 'string', multiple: true, default: [] },
    ask: { type: 'boolean', default: false },
    locale: { type: 'string', default: 'en' },
    'data-dir': { type: 'string', default: './example-wallet' },
  },
})
const locales = [args.locale]
const offerUri = positionals.find((uri) => uri.startsWith('openid-credential-offer:'))
const requestUri = positionals.find((uri) => uri.startsWith('openid4vp:'))
const name = (entries, fallback) => pickLocale(entries, locales)?.name ?? fallback
const trustLine = (trust) => {
  if (trust.trusted) return `trusted (${trust.basis.replaceAll('_', ' ')})`
  if (trust.code === 'checked_on_receipt') return 'checked when the credential arrives'
  return `NOT trusted: ${trust.reason}`
}
const show = (value) => (typeof value === 'string' ? value : JSON.stringify(value))

async function offerScreen(wallet) {
  const offer = await wallet.resolveOffer(offerUri)
  console.log(`\n== Offer from ${name(offer.issuer.display, offer.issuer.credentialIssuer)}`)
  console.log(`   issuer: ${offer.issuer.credentialIssuer}`)
  console.log(`   trust: ${trustLine(offer.issuer.trust)}`)
  for (const credential of offer.credentials) {
    const card = pickLocale(credential.display, locales)
    console.log(
      `   card: ${card?.name ?? credential.configurationId}${card?.description ? ` - ${card.description}` : ''}`,
    )
    console.log(`   claims: ${credential.claims.map((claim) => name(claim.labels, claim.path.join('.'))).join(', ')}`)
  }
  const code = offer.grant.type === 'pre-authorized_code' ? offer.grant.transactionCode : undefined
  if (code)
    console.log(`   transaction code: ${code.length ?? '?'} ${code.inputMode} characters (${code.description ?? ''})`)
  if (args.offer === 'decline') {
    await wallet.declineOffer(offer)
    return console.log('-> offer declined')
  }
  const options = { txCode: args['tx-code'], acceptUntrusted: args['accept-untrusted'] }
  for (const credential of await wallet.acceptOffer(offer, options)) {
    const card = name(credential.display, credential.vct)
    console.log(`-> received ${card}, issued ${credential.issuedAt}, valid until ${credential.expiresAt ?? 'no end'}`)
  }
}

async function consentScreen(wallet) {
  const request = await wallet.resolvePresentationRequest(requestUri)
  const { verifier } = request
  console.log(`\n== Request from ${name(verifier.names, verifier.clientId)}`)
  console.log(`   client id: ${verifier.clientId} (${verifier.clientIdPrefix})`)
  console.log(`   trust: ${trustLine(verifier.trust)}`)
  const chosen = Object.fromEntries(args.choose.map((entry) => entry.split('=')).map(([id, n]) => [id, Number(n)]))
  const choice = {}
  for (const query of request.queries) {
    console.log(`   ${query.id}: ${query.candidates.length} matching credential(s)`)
    query.candidates.forEach((candidate, index) => {
      const { credential } = candidate
      const claims = candidate.disclosed.map((claim) => {
        const label = claimLabel(credential.claimDisplay, claim.path, locales) ?? claim.path.join('.')
        return `${label} = ${show(claim.value)}${claim.selectivelyDisclosed ? '' : ' (always shown)'}`
      })
      console.log(`     [${index + 1}] ${name(credential.display, credential.vct)} would share: ${claims.join('; ')}`)
    })
    const pick = query.candidates[(chosen[query.id] ?? 1) - 1]
    if (pick) choice[query.id] = pick.credential.id
  }
  if (!request.satisfiable) console.log('   the wallet cannot answer this request')
  if (args.request === 'decline' || !request.satisfiable) {
    const answer = await wallet.declinePresentationRequest(request)
    return console.log(
      `-> request declined${answer.verifierError ? ` (verifier answered ${answer.verifierError.status})` : ''}`,
    )
  }
  const answer = await wallet.acceptPresentationRequest(request, choice, { acceptUntrusted: args['accept-untrusted'] })
  const shared = Object.entries(choice).map(([id, credentialId]) => `${id}=${credentialId}`)
  console.log(
    `-> shared ${shared.join(', ')}: ${answer.verifierError ? `refused (${answer.verifierError.error})` : 'accepted'}`,
  )
  if (answer.redirectUri) console.log(`-> open ${answer.redirectUri}`)
}

const wallet = await HolderWallet.open({
  dataDir: args['data-dir'],
  passphrase: process.env.WALLET_PASSPHRASE ?? 'correct horse battery staple',
  allowInsecureHttp: true, // the services of `npm start` are on http://127.0.0.1; drop this in production
  trustedCertificates: args['trust-ca'].map((file) => readFileSync(file, 'utf8')),
  trust: { untrusted: args.ask ? 'ask' : 'refuse' },
})
try {
  if (offerUri) await offerScreen(wallet)
  if (requestUri) await consentScreen(wallet)
} catch (error) {
  if (!(error instanceof HolderWalletError)) throw error
  console.log(`-> ${error.code}: ${error.message}`)
  process.exitCode = 2
} finally {
  await wallet.close()
}
