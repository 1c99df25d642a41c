export { type DecodedJws, decodeJws, encodeJwsPart, JwsError, verifySignature } from './compactJws.js'
export { type ContextKms, contextKms } from './contextKms.js'
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
