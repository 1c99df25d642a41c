import type { holderAgent } from '@attesto/testing'
import { Kms } from '@credo-ts/core'

type HolderAgent = Awaited<ReturnType<typeof holderAgent>>['agent']

/**
 * Credo's holder takes an offer's credentials as a batch: as many as the issuer's metadata allows
 * (`batch_credential_issuance.batch_size`), each bound to a new key of its KMS. Answers what
 * Credo received (it has verified every credential), the resolved offer and the token.
 */
export async function receiveBatch(agent: HolderAgent, offerUri: string) {
  const holder = agent.openid4vc.holder
  const resolvedCredentialOffer = await holder.resolveCredentialOffer(offerUri)
  const token = await holder.requestToken({ resolvedCredentialOffer })
  const { credentials } = await holder.requestCredentials({
    resolvedCredentialOffer,
    ...token,
    credentialBindingResolver: async ({ issuerMaxBatchSize }) => {
      const keys = await Promise.all(
        Array.from({ length: issuerMaxBatchSize }, () => agent.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })),
      )
      return { method: 'jwk', keys: keys.map((created) => Kms.PublicJwk.fromPublicJwk(created.publicJwk)) }
    },
  })
  return { resolvedCredentialOffer, token, credentials }
}
