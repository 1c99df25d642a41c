import { sign } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { DevelopmentCa } from '@attesto/protocol-kit'
import { startService, tenantWithVerifier } from '@attesto/testing'
import {
  Auth0MdocWallet,
  type CertifiedIssuer,
  certifiedIssuer,
  HandBuiltWallet,
  handoverOf,
  MDL_DOCTYPE,
  MDL_NAMESPACE,
} from '@attesto/testing/wallets'
import { StatusList } from '@sd-jwt/jwt-status-list'
import { createVerifierApp, type VerifierRuntime } from '../src/app.js'
import { loadStatusCheckConfig } from '../src/verification/statusCheckConfig.js'

// An mdoc whose MSO references a Token Status List entry (`status.status_list`, draft -14): the
// verifier checks it with the same status code as SD-JWT VCs, the status list token (a JWT made
// here with @sd-jwt/jwt-status-list, served on 127.0.0.1) signed by the document signer's key.
// @auth0/mdl makes the mdoc; the MSO with the status is signed again by the same issuer key.

const QUERY = {
  credentials: [
    {
      id: 'licence',
      format: 'mso_mdoc',
      meta: { doctype_value: MDL_DOCTYPE },
      claims: [{ path: [MDL_NAMESPACE, 'family_name'] }],
    },
  ],
}

/** A status list token of `statuses` (1 bit each), signed ES256 by `signer` for `uri`. */
function statusListToken(signer: CertifiedIssuer, uri: string, statuses: number[]): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const iat = Math.floor(Date.now() / 1000)
  const lst = new StatusList(statuses, 1).compressStatusList()
  const input = `${part({ alg: 'ES256', typ: 'statuslist+jwt', x5c: signer.x5c })}.${part({ sub: uri, iat, exp: iat + 3600, ttl: 300, status_list: { bits: 1, lst } })}`
  return `${input}.${sign('sha256', Buffer.from(input), { key: signer.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
}

describe('mdoc status (Token Status List in the MSO)', () => {
  let verifier: Awaited<ReturnType<typeof startService<VerifierRuntime>>>
  let server: http.Server
  let wallet: Auth0MdocWallet
  let uri = ''
  let key = ''
  let verifierId = ''
  const requester = new HandBuiltWallet()

  beforeAll(async () => {
    const statusConfig = loadStatusCheckConfig({ STATUS_LIST_ALLOW_INSECURE: 'true' })
    verifier = await startService('verifier', (config, logger) => createVerifierApp(config, logger, statusConfig))
    ;({ key, verifierId } = await tenantWithVerifier(verifier, 'Car rental'))
    const iaca = await DevelopmentCa.create({ name: 'Road Authority', country: 'NL' })
    await verifier.call('PUT', '/trust-anchors/iaca', key, { certificate: iaca.rootBase64() })
    const signer = await certifiedIssuer(iaca)
    wallet = new Auth0MdocWallet(signer)
    server = http.createServer((_request, response) => {
      response.setHeader('content-type', 'application/statuslist+jwt')
      response.end(statusListToken(signer, uri, [0, 1, 0, 0]))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/lists/1`
  }, 60_000)
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve))
    await verifier?.close()
  })

  async function present(idx: number) {
    const created = await verifier.call('POST', '/presentation-requests', key, { verifierId, dcql: { query: QUERY } })
    const request = await requester.fetchRequest(created.body.uri)
    const issued = await wallet.issue({ [MDL_NAMESPACE]: { family_name: 'Mustermann' } }, { status: { idx, uri } })
    const deviceResponse = await wallet.present(issued, { [MDL_NAMESPACE]: ['family_name'] }, handoverOf(request))
    const answered = await requester.respond(request, {
      vp_token: { licence: [deviceResponse] },
      state: request.payload.state,
    })
    expect(answered.status).toBe(200)
    return (await verifier.call('GET', `/presentation-requests/${created.body.requestId}`, key)).body
  }

  it('verifies an mdoc whose status entry is valid, and rejects a revoked one', async () => {
    expect(await present(0)).toMatchObject({ status: 'verified', credentials: [{ format: 'mso_mdoc' }] })
    expect(await present(1)).toMatchObject({ status: 'rejected', reason: { code: 'credential_revoked' } })
  })

  it('rejects an mdoc whose status list does not cover its index', async () => {
    expect(await present(4000)).toMatchObject({
      status: 'rejected',
      reason: { code: 'status_unavailable', detail: expect.stringMatching(/outside the list/) },
    })
  })
})
