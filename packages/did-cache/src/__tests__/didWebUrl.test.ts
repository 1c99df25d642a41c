import { parseDid } from '@credo-ts/core'
import { didWebUrl } from '../SafeWebDidResolver.js'

describe('didWebUrl', () => {
  it('follows the did:web method: host, optional port, optional path', () => {
    expect(didWebUrl(parseDid('did:web:w3c-ccg.github.io')).href).toBe('https://w3c-ccg.github.io/.well-known/did.json')
    expect(didWebUrl(parseDid('did:web:w3c-ccg.github.io:user:alice')).href).toBe(
      'https://w3c-ccg.github.io/user/alice/did.json',
    )
    expect(didWebUrl(parseDid('did:web:example.com%3A3000:issuer'), 'http').href).toBe(
      'http://example.com:3000/issuer/did.json',
    )
  })
})
