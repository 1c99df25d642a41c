import { fileURLToPath } from 'node:url'
import { freePort } from '@attesto/testing'
import { ServiceProcess } from '../../tests/support/serviceProcess.js'
import type { StepClient } from '../loadgen/StepClient.js'
import { type Deployment, OFFERED_CLAIMS, type PresentationResult, TX_CODE_LENGTH } from './Deployment.js'

/**
 * Credo 0.6.3 on its own, one process per role (bench/baselineServer.ts): in-memory storage (a scan
 * per query), Credo's node:crypto KMS with in-memory keys, no tenancy; offers and requests are made
 * by direct agent calls behind the baseline's small HTTP routes.
 */
export async function startCredoAlone(): Promise<Deployment> {
  const script = fileURLToPath(new URL('../baselineServer.js', import.meta.url))
  const [issuer, verifier] = (await Promise.all(
    (['issuer', 'verifier'] as const).map(async (role) =>
      new ServiceProcess(role, await freePort(), {}, script).start(),
    ),
  )) as [ServiceProcess, ServiceProcess]
  return {
    name: 'Credo alone',
    servicePids: { issuer: issuer.pid, verifier: verifier.pid },
    output: () => issuer.output + verifier.output,
    async close() {
      await issuer.kill()
      await verifier.kill()
    },
    createOffer: async (client: StepClient) => {
      const offer = await client.json('POST /offers', `${issuer.url}/offers`, {
        json: { claims: OFFERED_CLAIMS, txCodeLength: TX_CODE_LENGTH },
        status: 201,
      })
      return { uri: offer.uri, txCode: offer.txCode }
    },
    createRequest: async (client) => {
      const request = await client.json('POST /presentation-requests', `${verifier.url}/presentation-requests`, {
        method: 'POST',
        status: 201,
      })
      return { requestId: request.requestId, uri: request.uri }
    },
    result: async (client, requestId) =>
      (await client.json(
        'GET /presentation-requests/:id',
        `${verifier.url}/presentation-requests/${requestId}`,
      )) as PresentationResult,
  }
}
