// `@attesto/protocol-kit/sd-jwt`: SD-JWT (RFC 9901) at the format level: making disclosures and
// their digests, splitting a presentation, the disclosed claims, the key-binding proof. SHA-256
// and signatures by node:crypto, keys as the `./jose` KeyObjects.
export { type ConcealedClaims, concealClaims, joinSdJwt, makeDisclosure, sha256Base64url } from './disclosures.js'
export { holderKeyOf, type KeyBindingExpectation, verifyKeyBinding } from './keyBinding.js'
export { SdJwtError, type SdJwtErrorCode } from './SdJwtError.js'
export { disclosedPayload, parseSdJwtPresentation, type SdJwtPresentation } from './sdJwtPresentation.js'
