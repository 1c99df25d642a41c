import { ProtocolError } from '@attesto/agent-runtime'
import { UnknownIssuerError } from '../issuers/UnknownIssuerError.js'

/**
 * The issuer a protocol endpoint serves, from the issuer directory; an unknown one is the
 * OAuth-shaped `404 invalid_request` every protocol endpoint answers for it.
 */
export async function knownIssuer<Issuer>(lookup: Promise<Issuer>): Promise<Issuer> {
  try {
    return await lookup
  } catch (error) {
    if (error instanceof UnknownIssuerError) throw new ProtocolError(404, 'invalid_request', error.message)
    throw error
  }
}
