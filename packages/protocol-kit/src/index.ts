// The main entry runs wherever WebCrypto does (the wallet's browser bundle imports it). What needs
// node:crypto or node:zlib is behind the subpaths `./jose`, `./sd-jwt` and `./status-list`.
export type { X509Certificate } from '@peculiar/x509'
export { base64ToBytes, bytesToBase64, bytesToBase64Url } from './encoding.js'
export { DomainError } from './errors/DomainError.js'
export { ERROR_CATALOG, type ErrorCatalogEntry, type ErrorCode, type ErrorKind } from './errors/errorCatalog.js'
export { jwkThumbprintInput } from './jose/jwkThumbprintInput.js'
export { type CredentialStatusValue, STATUS_VALUES, statusOfValue } from './statusList/statusValues.js'
export { CertificateChainError, type CertificateChainErrorCode } from './x509/CertificateChainError.js'
export { type CertificateSummary, certificateSha256, certificateSummary } from './x509/certificateSummary.js'
export {
  type CheckedSigningChain,
  type CheckSigningChainOptions,
  checkSigningChain,
  findTrustAnchor,
} from './x509/checkSigningChain.js'
export { DevelopmentCa, type DevelopmentCaOptions, type IssueCertificateOptions } from './x509/DevelopmentCa.js'
export { authorityKeyIdentifier, subjectKeyIdentifier } from './x509/keyIdentifiers.js'
export { MAX_CHAIN_LENGTH, parseCertificateChain, toX5cEntry } from './x509/parseCertificateChain.js'
export { type ParsedTrustAnchor, parseTrustAnchor } from './x509/parseTrustAnchor.js'
