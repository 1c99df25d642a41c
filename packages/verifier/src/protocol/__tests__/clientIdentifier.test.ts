import type { KeyCertificate } from '@attesto/agent-runtime'
import type { DomainError } from '@attesto/protocol-kit'
import type { VerifierProfile } from '../../verification/verifierDocuments.js'
import { clientIdFor, requestSignerHeader } from '../clientIdentifier.js'

const certificate = { sha256: 'leafHash', dnsNames: ['verifier.example'], x5c: ['leaf', 'ca'] } as KeyCertificate
const didProfile: VerifierProfile = { verifierId: 'v', did: 'did:jwk:abc', didUrl: 'did:jwk:abc#0', keyId: 'k' }
const x509Profile: VerifierProfile = { ...didProfile, certificate }

const codeOf = (run: () => unknown) => {
  try {
    run()
  } catch (error) {
    return (error as DomainError).code
  }
  return undefined
}

describe('client identifiers', () => {
  it('defaults to x509_hash with a certificate and to the DID without one', () => {
    expect(clientIdFor(x509Profile, 'verifier.example')).toBe('x509_hash:leafHash')
    expect(clientIdFor(didProfile, 'verifier.example')).toBe('decentralized_identifier:did:jwk:abc')
    expect(clientIdFor(x509Profile, 'verifier.example', 'decentralized_identifier')).toBe(
      'decentralized_identifier:did:jwk:abc',
    )
  })

  it('names the response host with x509_san_dns only when the certificate does', () => {
    expect(clientIdFor(x509Profile, 'verifier.example', 'x509_san_dns')).toBe('x509_san_dns:verifier.example')
    expect(codeOf(() => clientIdFor(x509Profile, 'other.example', 'x509_san_dns'))).toBe('client_id_not_in_certificate')
    const ipNamed = { ...x509Profile, certificate: { ...certificate, dnsNames: ['127.0.0.1'] } }
    expect(codeOf(() => clientIdFor(ipNamed, '127.0.0.1', 'x509_san_dns'))).toBe('client_id_not_in_certificate')
    expect(codeOf(() => clientIdFor(didProfile, 'verifier.example', 'x509_hash'))).toBe('verifier_certificate_missing')
  })

  it('signs with x5c only while the certificate backs the client identifier', () => {
    expect(requestSignerHeader(x509Profile, 'x509_hash:leafHash')).toEqual({ x5c: ['leaf', 'ca'] })
    expect(requestSignerHeader(x509Profile, 'x509_san_dns:verifier.example')).toEqual({ x5c: ['leaf', 'ca'] })
    expect(requestSignerHeader(x509Profile, 'x509_hash:renewedSince')).toBeUndefined()
    expect(requestSignerHeader(didProfile, 'x509_hash:leafHash')).toBeUndefined()
    expect(requestSignerHeader(didProfile, 'decentralized_identifier:did:jwk:abc')).toEqual({ kid: 'did:jwk:abc#0' })
    expect(requestSignerHeader(didProfile, 'decentralized_identifier:did:jwk:other')).toBeUndefined()
  })
})
