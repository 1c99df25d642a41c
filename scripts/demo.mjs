// `npm run demo`: the main job against the services `npm start` runs (issuer :3000, verifier
// :3001). A university issues a diploma, a holder wallet receives it, a bank asks for the
// degree only, the wallet presents it, and the bank reads the verified claims.
// `node scripts/demo.mjs --uris` only prints a fresh offer URI and a request URI, for a wallet of
// your own (packages/holder/examples/wallet.mjs). `--x509`: the university also gets a certificate
// from a development CA (signing request signed in its KMS, chain uploaded), so its credentials
// carry x5c; the bank and the wallet trust that CA instead of the university's DID (docs/X509.md).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { HolderWallet } from '@attesto/holder'
import { DevelopmentCa } from '@attesto/protocol-kit'

const root = fileURLToPath(new URL('..', import.meta.url))
const issuerUrl = process.env.ISSUER_URL ?? 'http://127.0.0.1:3000'
const verifierUrl = process.env.VERIFIER_URL ?? 'http://127.0.0.1:3001'
const adminApiKey =
  process.env.ADMIN_API_KEY ??
  readFileSync(`${process.env.PGLITE_DATA_DIR ?? `${root}data`}/admin-api-key`, 'utf8').trim()

async function call(base, method, path, key, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await response.text()
  let json
  try {
    json = JSON.parse(text)
  } catch {
    // Not ours (a balancer's or a proxy's page): the status and the first bytes say what happened.
    throw new Error(`${method} ${path}: ${response.status}, not JSON: ${JSON.stringify(text.slice(0, 200))}`)
  }
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`)
  return json
}
const step = (text, detail) => console.log(`\n▶ ${text}${detail ? `\n  ${JSON.stringify(detail)}` : ''}`)

const vct = 'https://university.example/diploma'
const x509 = process.argv.includes('--x509')
const university = await call(issuerUrl, 'POST', '/tenants', adminApiKey, { label: 'Example University' })
step('Issuer tenant created', { id: university.id })
const issuer = await call(issuerUrl, 'POST', '/issuers', university.apiKey, { didMethod: 'jwk' })
step('Issuer identity created (key in the issuer KMS)', {
  issuerId: issuer.issuerId,
  did: `${issuer.did.slice(0, 40)}…`,
})
await call(issuerUrl, 'PUT', `/issuers/${issuer.issuerId}/credential-configurations/diploma`, university.apiKey, {
  vct,
  claims: [
    { name: 'given_name', type: 'string', required: true },
    { name: 'family_name', type: 'string', required: true },
    { name: 'degree', type: 'string', required: true },
    { name: 'graduated_on', type: 'date' },
  ],
})
step('Credential configuration "diploma" defined', { vct })

/** With --x509: a development CA signs the university's certificate signing request. */
const ca = x509 ? await DevelopmentCa.create({ name: 'Demo National' }) : undefined
if (ca) {
  const { csr } = await call(
    issuerUrl,
    'POST',
    `/issuers/${issuer.issuerId}/certificate-signing-request`,
    university.apiKey,
    {
      commonName: 'Example University',
      country: 'NL',
    },
  )
  const certificate = await call(issuerUrl, 'PUT', `/issuers/${issuer.issuerId}/certificate`, university.apiKey, {
    chain: await ca.issue(csr),
  })
  step('Certificate from the CA uploaded: credentials now carry x5c', {
    subject: certificate.subject,
    issuer: certificate.issuer,
    notAfter: certificate.notAfter,
  })
}
const offer = await call(issuerUrl, 'POST', '/offers', university.apiKey, {
  issuerId: issuer.issuerId,
  credentialConfigurationId: 'diploma',
  claims: { given_name: 'Ada', family_name: 'Lovelace', degree: 'MSc Mathematics', graduated_on: '2026-06-30' },
})
step('Offer created', { offerId: offer.offerId, uri: `${offer.uri.slice(0, 60)}…` })

/** The bank: a verifier tenant that trusts the university, and a request for the degree only. */
async function bankRequest() {
  const bank = await call(verifierUrl, 'POST', '/tenants', adminApiKey, { label: 'Example Bank' })
  const verifier = await call(verifierUrl, 'POST', '/verifiers', bank.apiKey, {})
  if (ca) {
    await call(verifierUrl, 'PUT', '/trust-anchors/demo-national', bank.apiKey, {
      certificate: ca.rootBase64(),
      label: 'Demo National Root CA',
    })
  } else {
    await call(verifierUrl, 'PUT', `/trusted-issuers/${encodeURIComponent(issuer.did)}`, bank.apiKey, {
      label: 'Example University',
    })
  }
  step(`Verifier tenant created; it trusts the university${ca ? "'s CA" : ''}`, { verifierId: verifier.verifierId })
  const request = await call(verifierUrl, 'POST', '/presentation-requests', bank.apiKey, {
    verifierId: verifier.verifierId,
    dcql: {
      query: {
        credentials: [
          { id: 'diploma', format: 'dc+sd-jwt', meta: { vct_values: [vct] }, claims: [{ path: ['degree'] }] },
        ],
      },
    },
  })
  step('Presentation request created (degree only)', { requestId: request.requestId })
  return { bank, request }
}

if (process.argv.includes('--uris')) {
  const { bank, request } = await bankRequest()
  console.log(`\nOffer URI:\n${offer.uri}\n\nRequest URI:\n${request.uri}`)
  console.log(
    `\nThe bank's result, once a wallet has answered:\ncurl -H 'Authorization: Bearer ${bank.apiKey}' ${verifierUrl}/presentation-requests/${request.requestId}`,
  )
  process.exit(0)
}

const wallet = await HolderWallet.open({
  // The demo's wallet lives for the run; an app names its dataDir (docs/HOLDER.md).
  inMemory: true,
  passphrase: 'demo passphrase',
  allowInsecureHttp: true,
  ...(ca ? { trustedCertificates: [ca.rootBase64()] } : {}),
})
try {
  // The wallet's two steps: the preview screen's data, then the holder's answer.
  const preview = await wallet.resolveOffer(offer.uri)
  step('Holder wallet previewed the offer', {
    issuer: preview.issuer.credentialIssuer,
    credentials: preview.credentials.map((credential) => credential.vct),
    grant: preview.grant.type,
  })
  const [credential] = await wallet.acceptOffer(preview)
  step('Holder wallet received the credential', {
    vct: credential.vct,
    claims: credential.claims,
    issuerTrusted: credential.issuerTrust?.trusted ? credential.issuerTrust.basis : false,
  })
  step('Offer status', { status: (await call(issuerUrl, 'GET', `/offers/${offer.offerId}`, university.apiKey)).status })

  const { bank, request } = await bankRequest()
  const consent = await wallet.resolvePresentationRequest(request.uri)
  const [query] = consent.queries
  step('Holder wallet consent screen', {
    verifier: consent.verifier.clientId,
    verifierTrusted: consent.verifier.trust.trusted ? consent.verifier.trust.basis : false,
    wouldDisclose: query.candidates[0].disclosed.map((claim) => ({ claim: claim.path.join('.'), value: claim.value })),
  })
  const presented = await wallet.acceptPresentationRequest(consent, { [query.id]: credential.id })
  step('Holder presented', { credential: credential.id, ...presented })
  const result = await call(verifierUrl, 'GET', `/presentation-requests/${request.requestId}`, bank.apiKey)
  step('Verified claims at the bank', { status: result.status, credentials: result.credentials })
} finally {
  await wallet.close()
}
