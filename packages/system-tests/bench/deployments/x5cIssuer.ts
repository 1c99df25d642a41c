import { DevelopmentCa } from '@attesto/protocol-kit'
import type { Deployment } from './Deployment.js'
import { diplomaIssuer, type OurDeployment } from './ourServices.js'

/**
 * A second issuer of our issuer tenant that signs its SD-JWT VCs with `x5c` (a certificate for
 * its key from a development CA, through the certificate routes), and the verifier tenant
 * trusting that CA as an anchor: the same processes as `ours`, offers from the x5c issuer.
 */
export async function withX5cIssuer(ours: OurDeployment): Promise<Deployment> {
  const ca = await DevelopmentCa.create({ name: 'Bench CA' })
  const { issuerId } = await diplomaIssuer(ours.setup.issuer, { didMethod: 'key' })
  const { csr } = await ours.setup.issuer(
    `/issuers/${issuerId}/certificate-signing-request`,
    { commonName: 'Bench University' },
    'POST',
    200,
  )
  await ours.setup.issuer(`/issuers/${issuerId}/certificate`, { chain: await ca.issue(csr) }, 'PUT')
  const anchor = ca.root.toString('pem')
  await ours.setup.verifier('/trust-anchors/bench-x5c', { certificate: anchor }, 'PUT')
  return ours.withIssuer(`${ours.name}, x5c issuer`, issuerId, anchor)
}
