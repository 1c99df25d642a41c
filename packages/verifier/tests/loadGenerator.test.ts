import { DATABASE_URL } from '@attesto/agent-runtime/testing'
import { startCredoAlone } from '../bench/deployments/credoAlone.js'
import type { Deployment } from '../bench/deployments/Deployment.js'
import { startOurServices } from '../bench/deployments/ourServices.js'
import { issuanceFlow, verificationFlow } from '../bench/loadgen/oid4vcFlows.js'
import { ProtocolNotes } from '../bench/loadgen/ProtocolNotes.js'
import { StepClient } from '../bench/loadgen/StepClient.js'
import { runFlows } from '../bench/measure/runFlows.js'

// The benchmark's load generator as a protocol test: a handful of issuances and verifications,
// two in flight, through our services (each its own process, on the real PostgreSQL) and through
// Credo alone. Every flow checks every answer (status, shape, the credential's signature and
// disclosures, the verifier's result with the degree alone); no timing is asserted.

const FLOWS = 4

describe.each([
  ['our services', (client: StepClient) => startOurServices(client, DATABASE_URL)],
  ['Credo alone', () => startCredoAlone()],
])('the load generator against %s', (_name, start) => {
  const client = new StepClient({ connections: 4 })
  const notes = new ProtocolNotes()
  let deployment: Deployment | undefined

  beforeAll(async () => {
    deployment = await start(client)
  })

  afterAll(async () => {
    await deployment?.close()
    await client.close()
  })

  const flows = (flow: () => Promise<void>) =>
    runFlows({ count: FLOWS, maxSeconds: 60, concurrency: 2, samples: client.steps, name: 'flow', flow })

  it('issues checked credentials and has them verified with only the requested claim', async () => {
    const service = deployment as Deployment
    try {
      const credential = await issuanceFlow(service, client, notes)
      expect(credential.payload.vct).toBe('urn:attesto:test:diploma')
      expect(await flows(async () => void (await issuanceFlow(service, client, notes)))).toMatchObject({
        completed: FLOWS,
      })
      expect(await flows(() => verificationFlow(service, client, notes, credential))).toMatchObject({
        completed: FLOWS,
      })
    } catch (error) {
      throw new Error(`${String(error)}\nThe services logged:\n${service.output().slice(-4000)}`, { cause: error })
    }
    expect(client.steps.names()).toEqual(expect.arrayContaining(['POST token', 'POST credential', 'POST response']))
  })
})
