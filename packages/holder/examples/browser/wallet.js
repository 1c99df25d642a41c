// A minimal wallet page on the browser bundle: records in IndexedDB, keys as non-extractable
// WebCrypto keys. Each step shows what a real wallet would put on its screen before accepting.
import { HolderWallet, pickLocale } from '../../dist/browser/holder.js'

const log = (...parts) => {
  document.querySelector('#log').textContent += `${parts.join(' ')}\n`
}

let opened
/** The page's wallet, opened once (a real app asks the holder for the passphrase). */
export function wallet() {
  opened ??= HolderWallet.open({
    indexedDb: 'attesto-wallet',
    passphrase: 'correct horse battery staple',
    allowInsecureHttp: location.protocol === 'http:', // the services on http://127.0.0.1 in development
  })
  return opened
}

async function showCredentials() {
  const credentials = await (await wallet()).listCredentials()
  document.querySelector('#credentials').replaceChildren(
    ...credentials.map((credential) => {
      const item = document.createElement('li')
      item.textContent = `${pickLocale(credential.display, ['en'])?.name ?? credential.vct}: ${JSON.stringify(credential.claims)}`
      return item
    }),
  )
}

/** The preview screen, then acceptance: returns the credentials received. */
export async function acceptOffer(uri, txCode) {
  const offer = await (await wallet()).resolveOffer(uri)
  log('offer from', offer.issuer.credentialIssuer, 'of', offer.credentials.map((c) => c.vct).join(', '))
  const received = await (await wallet()).acceptOffer(offer, { txCode: txCode || undefined })
  log('received', received.map((credential) => credential.vct).join(', '))
  await showCredentials()
  return received
}

/** The consent screen, then presentation of the first candidate of each query. */
export async function present(uri) {
  const request = await (await wallet()).resolvePresentationRequest(uri)
  const choice = {}
  for (const query of request.queries) {
    const [first] = query.candidates
    if (!first) continue
    log(query.id, 'would disclose', first.disclosed.map((claim) => claim.path.join('.')).join(', '))
    choice[query.id] = first.credential.id
  }
  const answer = await (await wallet()).acceptPresentationRequest(request, choice)
  log('presented to', request.verifier.clientId, answer.verifierError ? `refused: ${answer.verifierError.error}` : '')
  return { choice, verifierError: answer.verifierError ?? null }
}

const submitted = (form, handler) =>
  document.querySelector(form).addEventListener('submit', (event) => {
    event.preventDefault()
    const fields = Object.fromEntries(new FormData(event.target))
    handler(fields).catch((error) => log('error:', error.code ?? '', error.message))
  })
submitted('#offer', ({ uri, txCode }) => acceptOffer(uri, txCode))
submitted('#request', ({ uri }) => present(uri))
globalThis.attestoWallet = { wallet, acceptOffer, present }
