import { createPublicKey, type KeyObject } from 'node:crypto'
import { check } from './ProtocolNotes.js'

/** SubjectPublicKeyInfo prefixes of a compressed P-256 point and of a raw Ed25519 key. */
const P256_SPKI_PREFIX = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex')
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

const resolved = new Map<string, KeyObject>()

const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

/** Bitcoin-alphabet base58 (the `z` multibase), leading `1`s as zero bytes. */
function base58Decode(step: string, text: string): Buffer {
  let value = 0n
  for (const character of text) {
    const digit = BASE58_ALPHABET.indexOf(character)
    check(digit >= 0, step, `'${character}' is not base58`)
    value = value * 58n + BigInt(digit)
  }
  const hex = value === 0n ? '' : value.toString(16)
  const zeros = text.length - text.replace(/^1+/, '').length
  return Buffer.concat([Buffer.alloc(zeros), Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex')])
}

function resolve(step: string, did: string): KeyObject {
  if (did.startsWith('did:jwk:')) {
    const jwk = JSON.parse(Buffer.from(did.slice('did:jwk:'.length), 'base64url').toString())
    return createPublicKey({ key: jwk, format: 'jwk' })
  }
  check(did.startsWith('did:key:z'), step, `cannot resolve ${did}: only did:jwk and did:key are expected here`)
  const bytes = base58Decode(step, did.slice('did:key:z'.length))
  // The multicodec varint: 0x1200 is p256-pub (compressed), 0xed is ed25519-pub.
  if (bytes[0] === 0x80 && bytes[1] === 0x24 && bytes.length === 35) {
    return createPublicKey({ key: Buffer.concat([P256_SPKI_PREFIX, bytes.subarray(2)]), format: 'der', type: 'spki' })
  }
  check(bytes[0] === 0xed && bytes[1] === 0x01 && bytes.length === 34, step, `unsupported did:key type in ${did}`)
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, bytes.subarray(2)]), format: 'der', type: 'spki' })
}

/**
 * The public key a DID URL (a JWS `kid`) names, for the self-resolving methods the services use:
 * did:jwk, and did:key with P-256 or Ed25519. Resolved once per DID.
 */
export function didPublicKey(step: string, didUrl: string): KeyObject {
  const did = didUrl.split('#')[0] as string
  let key = resolved.get(did)
  if (!key) {
    key = resolve(step, did)
    resolved.set(did, key)
  }
  return key
}
