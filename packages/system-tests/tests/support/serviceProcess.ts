import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ServiceProcess as BuiltServiceProcess } from '@attesto/test-servers'
import { packageDirectory } from './packageDirectory.js'

/**
 * The built server of a service package this package depends on: the `attesto-<role>` entry of
 * `@attesto/<role>`'s `bin`, resolved from its package.json.
 */
export function serviceScript(role: 'issuer' | 'verifier'): string {
  const directory = packageDirectory(`@attesto/${role}`)
  const { bin } = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { bin: Record<string, string> }
  const script = bin[`attesto-${role}`]
  if (!script) throw new Error(`@attesto/${role} has no attesto-${role} bin`)
  return join(directory, script)
}

/** A service as its own process: its package's built server, or `script` (an absolute path) when given. */
export class ServiceProcess extends BuiltServiceProcess {
  public constructor(
    role: 'issuer' | 'verifier',
    port: number,
    env: Record<string, string>,
    script: string = serviceScript(role),
  ) {
    super(role, port, env, script)
  }
}

export { restCaller } from '@attesto/test-servers'
