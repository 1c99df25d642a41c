import { signJwt } from '@attesto/agent-runtime'
import { concealClaims, joinSdJwt } from '@attesto/protocol-kit/sd-jwt'
import type { HolderBinding, IssuanceSession } from '../issuance/IssuanceSession.js'
import { DEFAULT_CREDENTIAL_VALIDITY_SECONDS, type SdJwtVcConfiguration } from '../issuers/credentialConfiguration.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import { issuerSignature } from '../issuers/issuerSignature.js'
import type { StatusClaim } from '../status/CredentialStatusService.js'

/**
 * An SD-JWT VC (`dc+sd-jwt`, RFC 9901 disclosures, SHA-256) signed by the issuer's key through
 * its KMS, identified by its DID or, once it has a certificate, by `x5c` (issuerSignature.ts): the
 * selectively disclosable claims of the configuration become disclosures (`protocol-kit`'s
 * `concealClaims`: their digests in `_sd`, sorted), the others stay plain; `cnf` binds the holder
 * key; `exp` ends it (the offer's end, or the configuration's validity from now) and `nbf` starts
 * it when the offer says so; `status` (when given) references the credential's status list entry
 * (docs/REVOCATION.md).
 */
export async function issueSdJwtVc(
  issuer: ResolvedIssuer,
  configuration: SdJwtVcConfiguration,
  session: Pick<IssuanceSession, 'claims' | 'credentialNotBefore' | 'credentialExpiresAt'>,
  holder: HolderBinding,
  status?: StatusClaim,
): Promise<string> {
  const { claims } = session
  const iat = Math.floor(Date.now() / 1000)
  const disclosable = new Set(
    configuration.claims.filter((claim) => claim.selectivelyDisclosable).map((claim) => claim.name),
  )
  const { plain, disclosures, digests } = concealClaims(claims, (name) => disclosable.has(name))
  const signature = issuerSignature(issuer)
  const jwt = await signJwt(issuer.tenantContext, {
    keyId: issuer.profile.keyId,
    alg: issuer.alg,
    header: { typ: 'dc+sd-jwt', ...signature.header },
    payload: {
      ...plain,
      vct: configuration.vct,
      ...(signature.iss ? { iss: signature.iss } : {}),
      iat,
      ...(session.credentialNotBefore !== undefined ? { nbf: session.credentialNotBefore } : {}),
      // Configurations stored before validity existed get the default.
      exp: session.credentialExpiresAt ?? iat + (configuration.validitySeconds ?? DEFAULT_CREDENTIAL_VALIDITY_SECONDS),
      cnf: holder,
      ...(status ? { status } : {}),
      ...(digests.length > 0 ? { _sd: digests, _sd_alg: 'sha-256' } : {}),
    },
  })
  return joinSdJwt(jwt, disclosures)
}
