import type { HolderBinding, IssuanceSession } from '../issuance/IssuanceSession.js'
import type { CredentialConfiguration } from '../issuers/credentialConfiguration.js'
import type { ResolvedIssuer } from '../issuers/IssuerDirectory.js'
import type { StatusClaim } from '../status/CredentialStatusService.js'
import { issueMdoc } from './mdoc/issueMdoc.js'
import { issueSdJwtVc } from './sdJwtVc.js'

/**
 * The credential of an offer, in its configuration's format: an SD-JWT VC (`dc+sd-jwt`,
 * sdJwtVc.ts) or an ISO mdoc (`mso_mdoc`, mdoc/issueMdoc.ts). Answers what goes in the credential
 * response's `credential`. `status` is for SD-JWT VCs only: mdoc configurations are never
 * revocable, so none is reserved for them.
 */
export function issueCredential(
  issuer: ResolvedIssuer,
  configuration: CredentialConfiguration,
  session: Pick<IssuanceSession, 'claims' | 'credentialNotBefore' | 'credentialExpiresAt'>,
  holder: HolderBinding,
  status?: StatusClaim,
): Promise<string> {
  if (configuration.format !== 'mso_mdoc') return issueSdJwtVc(issuer, configuration, session, holder, status)
  if (status) throw new Error('An mso_mdoc credential carries no status list entry')
  return issueMdoc(issuer, configuration, session, holder)
}
