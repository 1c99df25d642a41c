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
export { type ContextKms, contextKms } from './contextKms.js'
export {
  accessTokenHash,
  DpopProofError,
  normalisedHtu,
  PROOF_OF_POSSESSION_ALGORITHMS,
  type VerifiedDpopProof,
  type VerifyDpopProofOptions,
  verifyDpopProof,
} from './dpopProof.js'
export { invalidToken, ProtocolError, protocolErrorHandler, rejectUnsafeProtocolInput } from './ProtocolError.js'
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
export { type SignJwtOptions, signJwt } from './signJwt.js'
