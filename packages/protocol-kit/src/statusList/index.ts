// `@attesto/protocol-kit/status-list`: the Token Status List codec (node:zlib). The status values
// are pure and also in the kit's main entry.
export { decodeStatusList, encodeStatusList, type StatusBitsPerEntry, statusAt } from './statusListCodec.js'
export { type CredentialStatusValue, STATUS_VALUES, statusOfValue } from './statusValues.js'
