// `@attesto/protocol-kit/jose`: compact JWS, public keys as node KeyObjects (imported once per
// process), DPoP proofs and client attestations. node:crypto: the services' per-request path.
export {
  type AttesterKey,
  CLIENT_ATTESTATION_HEADER,
  CLIENT_ATTESTATION_POP_HEADER,
  ClientAttestationError,
  type VerifiedClientAttestation,
  type VerifyClientAttestationOptions,
  verifyClientAttestation,
} from './clientAttestation.js'
export { type DecodedJws, decodeJws, encodeJwsPart, JwsError, verifySignature } from './compactJws.js'
export {
  accessTokenHash,
  DpopProofError,
  normalisedHtu,
  PROOF_OF_POSSESSION_ALGORITHMS,
  type VerifiedDpopProof,
  type VerifyDpopProofOptions,
  verifyDpopProof,
} from './dpopProof.js'
export { jwkThumbprintInput } from './jwkThumbprintInput.js'
export {
  type JwsAlgorithm,
  jwkThumbprint,
  PublicKeyError,
  publicJwkOf,
  publicKeyFromDidKey,
  publicKeyFromJwk,
  publicKeyFromSelfDescribingDid,
  SUPPORTED_ALGORITHMS,
} from './publicKeys.js'
