export { type ContextKms, contextKms } from './contextKms.js'
export { invalidToken, ProtocolError, protocolErrorHandler, rejectUnsafeProtocolInput } from './ProtocolError.js'
export { type SignJwtOptions, signJwt } from './signJwt.js'
