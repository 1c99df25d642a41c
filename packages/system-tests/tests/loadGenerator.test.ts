import { DATABASE_URL } from '@attesto/testing'
import { startBareHttp } from '../bench/deployments/bareHttp.js'
import { startCredoAlone } from '../bench/deployments/credoAlone.js'
import type { Deployment } from '../bench/deployments/Deployment.js'
import { startOurServices } from '../bench/deployments/ourServices.js'
import { issuanceFlow, verificationFlow } from '../bench/loadgen/oid4vcFlows.js'
import { ProtocolNotes } from '../bench/loadgen/ProtocolNotes.js'
import { StepClient } from '../bench/loadgen/StepClient.js'
import { measurePoint } from '../bench/measure/measurePoint.js'
import { runFlows } from '../bench/measure/runFlows.js'
import { yardstickTable } from '../bench/report/printTables.js'

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

describe('the yardstick', () => {
  it("sends each flow kind's requests to a bare node:http server and reads its CPU per flow", async () => {
    const client = new StepClient({ connections: 2 })
    const bare = await startBareHttp()
    try {
      const points = []
      for (const kind of ['issuance', 'verification'] as const) {
        points.push(
          await measurePoint({
            deployment: bare,
            kind,
            concurrency: 2,
            flows: 50,
            warmupFlows: 5,
            maxSeconds: 60,
            client,
            flow: () => bare.flow(kind, client),
          }),
        )
      }
      expect(points.map((point) => point.completed)).toEqual([50, 50])
      expect(points[0]?.steps.map(([step]) => step)).toEqual([
        'bare POST (offer)',
        'bare GET (issuer metadata)',
        'bare GET (authorisation-server metadata)',
        'bare POST (token)',
        'bare POST (nonce)',
        'bare POST (credential)',
      ])
      expect(points[1]?.steps).toHaveLength(4)
      const table = yardstickTable(points, 'ours', bare.name).split('\n')
      expect(table.filter((line) => /^\| (issuance|verification) \| 2 \| /.test(line))).toHaveLength(2)
    } finally {
      await bare.close()
      await client.close()
    }
  })
})
