import { fileURLToPath } from 'node:url'
import { ServiceProcess as BuiltServiceProcess } from '@attesto/test-servers'

/** This package's built server (the tests run from dist/tests, beside dist/src). */
const VERIFIER_SERVER = fileURLToPath(new URL('../../src/server.js', import.meta.url))

/** The verifier as its own process, started from this package's built server. */
export class ServiceProcess extends BuiltServiceProcess {
  public constructor(role: 'verifier', port: number, env: Record<string, string>) {
    super(role, port, env, VERIFIER_SERVER)
  }
}

export { restCaller } from '@attesto/test-servers'
