// Hand-built wallets (SD-JWT VC with jose, ISO mdoc with @auth0/mdl) and issuers certified under a
// test CA: independent parties for the verifier's tests and benchmarks.

export * from './auth0MdocWallet.js'
export * from './certifiedIssuer.js'
export * from './HandBuiltWallet.js'
