import { randomBytes } from 'node:crypto'
import { authorizationCodeIssuance } from '../loadgen/authorizationCodeFlow.js'
import type { StepClient } from '../loadgen/StepClient.js'
import type { SdJwtVc } from '../loadgen/sdJwtVc.js'
import { OFFERED_CLAIMS, VCT } from './Deployment.js'
import { startOpenIdProvider } from './openIdProvider.js'
import type { OurDeployment } from './ourServices.js'

/** The account that logs in at the provider: its profile claims map onto the diploma's claims. */
const ACCOUNT = { sub: 'ada', given_name: OFFERED_CLAIMS.given_name, family_name: OFFERED_CLAIMS.degree }

/** Our issuer with the authorization code flow set up, and the tenant's OpenID provider beside it. */
export interface AuthorizationCodeIssuer {
  name: string
  servicePids: { issuer: number; verifier: number }
  /** The OpenID provider's process: its CPU is the provider's, reported apart. */
  providerPid: number
  flow(client: StepClient): Promise<SdJwtVc>
  close(): Promise<void>
}

/**
 * The authorization code flow on our issuer (the DID issuer of `ours`, same processes): the
 * tenant's OpenID provider (oidc-provider, its own process) set through `PUT /identity-provider`,
 * with the diploma's claims taken from the ID token (`given_name`, and `degree` from
 * `family_name`), the issuer's callback registered at the provider.
 */
export async function withAuthorizationCode(ours: OurDeployment): Promise<AuthorizationCodeIssuer> {
  const { credentialIssuer } = await ours.setup.issuer(`/issuers/${ours.issuerId}`, undefined, 'GET')
  const clientSecret = randomBytes(24).toString('base64url')
  const provider = await startOpenIdProvider({
    clients: [
      {
        client_id: 'attesto',
        client_secret: clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: [`${credentialIssuer}/authorize/callback`],
      },
    ],
    accounts: [ACCOUNT],
  })
  try {
    await ours.setup.issuer(
      '/identity-provider',
      {
        issuer: provider.issuer,
        clientId: 'attesto',
        clientAuth: { method: 'client_secret_basic', clientSecret },
        scopes: ['profile'],
        claimsSources: {
          [`${ours.issuerId}/diploma`]: {
            type: 'id_token',
            mapping: { given_name: 'given_name', degree: 'family_name' },
          },
        },
      },
      'PUT',
      201,
    )
  } catch (error) {
    await provider.close()
    throw error
  }
  const target = { credentialIssuer, configurationId: 'diploma', login: ACCOUNT.sub, vct: VCT, claims: OFFERED_CLAIMS }
  return {
    name: `${ours.name}, authorization code flow`,
    servicePids: ours.servicePids,
    providerPid: provider.pid,
    flow: (client) => authorizationCodeIssuance(client, target),
    close: provider.close,
  }
}
