import { type ChildProcess, spawn } from 'node:child_process'
import { freePort } from '@attesto/testing'
import type { StepClient } from '../loadgen/StepClient.js'
import type { FlowKind } from '../measure/measurePoint.js'
import type { Deployment } from './Deployment.js'

/** What the bare server answers to every request: a JSON object of the size of a typical protocol answer. */
const ANSWER = JSON.stringify({ answer: 'x'.repeat(560) })

/** The bare server: node:http, reads each body to its end, answers {@link ANSWER}; nothing else. */
const SERVER = `
const answer = ${JSON.stringify(ANSWER)}
require('node:http').createServer((request, response) => {
  request.resume()
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) })
    response.end(answer)
  })
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\\n'))
`

type Shape = { step: string; method: 'GET' | 'POST'; json?: unknown; form?: Record<string, string> }

/**
 * The HTTP requests of each flow kind as our services receive them (method and body type), in
 * order: the yardstick sends exactly these, so its CPU per "flow" is what node's HTTP server alone
 * spends on a flow's requests on this machine.
 */
const SHAPES: Record<FlowKind, Shape[]> = {
  issuance: [
    { step: 'bare POST (offer)', method: 'POST', json: { claims: { given_name: 'Ada', degree: 'MSc' } } },
    { step: 'bare GET (issuer metadata)', method: 'GET' },
    { step: 'bare GET (authorisation-server metadata)', method: 'GET' },
    { step: 'bare POST (token)', method: 'POST', form: { grant_type: 'pre-authorized_code', tx_code: '123456' } },
    { step: 'bare POST (nonce)', method: 'POST' },
    { step: 'bare POST (credential)', method: 'POST', json: { proofs: { jwt: ['x'.repeat(700)] } } },
  ],
  'authorization-code': [
    { step: 'bare GET (issuer metadata)', method: 'GET' },
    { step: 'bare GET (authorisation-server metadata)', method: 'GET' },
    { step: 'bare POST (par)', method: 'POST', form: { response_type: 'code', code_challenge: 'x'.repeat(43) } },
    { step: 'bare GET (authorize)', method: 'GET' },
    { step: 'bare GET (authorize/callback)', method: 'GET' },
    { step: 'bare POST (token)', method: 'POST', form: { grant_type: 'authorization_code', code: 'x'.repeat(80) } },
    { step: 'bare POST (nonce)', method: 'POST' },
    { step: 'bare POST (credential)', method: 'POST', json: { proofs: { jwt: ['x'.repeat(700)] } } },
  ],
  verification: [
    { step: 'bare POST (request)', method: 'POST', json: { dcql: { query: { credentials: [] } } } },
    { step: 'bare GET (request object)', method: 'GET' },
    { step: 'bare POST (response)', method: 'POST', form: { response: 'x'.repeat(2000) } },
    { step: 'bare GET (result)', method: 'GET' },
  ],
}

/** The yardstick deployment: one bare node:http process serving both kinds' requests. */
export interface BareHttp extends Pick<Deployment, 'name' | 'servicePids'> {
  /** One "flow": the kind's requests, one after another. */
  flow(kind: FlowKind, client: StepClient): Promise<void>
  close(): Promise<void>
}

export async function startBareHttp(): Promise<BareHttp> {
  const port = await freePort()
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the bare node:http server exited (${code})`)))
    child.stdout?.once('data', () => resolve())
  })
  const url = `http://127.0.0.1:${port}/`
  return {
    name: 'bare node:http (the same requests, nothing done)',
    servicePids: { issuer: child.pid as number, verifier: child.pid as number },
    async flow(kind, client) {
      for (const shape of SHAPES[kind]) {
        await client.send(shape.step, url, { method: shape.method, json: shape.json, form: shape.form })
      }
    },
    close: async () => {
      if (child.exitCode !== null) return
      await new Promise((resolve) => {
        child.once('exit', resolve)
        child.kill('SIGKILL')
      })
    },
  }
}
