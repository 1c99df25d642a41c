import { createHash, randomBytes } from 'node:crypto'
import type { MdocContext } from '@animo-id/mdoc'
import { contextKms } from '@attesto/agent-runtime'
import type { AgentContext } from '@credo-ts/core'

const HASHES = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' } as const

const notUsed = (what: string) => () => {
  throw new Error(`${what} is not used when issuing an mdoc`)
}

/** What the mdoc library needs to build and sign an mdoc: digests, randomness, COSE_Sign1. */
export type MdocIssuingContext = Pick<MdocContext, 'crypto' | 'cose'>

/**
 * The mdoc library's crypto for issuing with `keyId` of the tenant's KMS: SHA digests and salts
 * from node:crypto, and the COSE_Sign1 of the Mobile Security Object signed in the KMS with ES256
 * over the Sig_structure the library builds (the private key never leaves the KMS; the signature
 * is the raw r‖s COSE expects). Device authentication and verification are the wallet's and the
 * verifier's business: they are not wired.
 */
export function kmsMdocContext(tenantContext: AgentContext, keyId: string): MdocIssuingContext {
  return {
    crypto: {
      digest: ({ digestAlgorithm, bytes }) => createHash(HASHES[digestAlgorithm]).update(bytes).digest(),
      random: (length) => randomBytes(length),
      calculateEphemeralMacKeyJwk: notUsed('Device MAC authentication'),
    },
    cose: {
      sign1: {
        sign: async ({ sign1 }) => {
          const { data } = sign1.getRawSigningData()
          const { signature } = await contextKms(tenantContext).sign({ keyId, algorithm: 'ES256', data })
          return signature
        },
        verify: notUsed('COSE_Sign1 verification'),
      },
      mac0: { sign: notUsed('COSE_Mac0'), verify: notUsed('COSE_Mac0') },
    },
  }
}
