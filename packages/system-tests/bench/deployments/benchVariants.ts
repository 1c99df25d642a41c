import type { StepClient } from '../loadgen/StepClient.js'
import { type AuthorizationCodeIssuer, withAuthorizationCode } from './authorizationCodeIssuer.js'
import type { Deployment } from './Deployment.js'
import { type OurDeployment, startOurServices } from './ourServices.js'
import { withX5cIssuer } from './x5cIssuer.js'

/** The deployments measured beside ours, Credo alone and the bare server, as the environment asks. */
export interface BenchVariants {
  /** Ours with METRICS=off ACCESS_LOG=off (BENCH_OBSERVABILITY_OFF=1): own processes. */
  quiet?: OurDeployment
  /** Ours built from another checkout (BENCH_COMPARE_TREE): own processes, same PostgreSQL. */
  compared?: OurDeployment
  /** Ours' processes, offers from an issuer that signs with x5c (unless BENCH_X5C=0). */
  x5c?: Deployment
  /** Ours' issuer through the authorization code flow (when BENCH_KINDS names authorization-code). */
  authorizationCode?: AuthorizationCodeIssuer
}

/**
 * Starts the variants; each one's clean-up goes to `cleanups` and each deployment with processes
 * of its own to `started` (for a failure report) as soon as it exists.
 */
export async function startVariants(
  client: StepClient,
  ours: OurDeployment,
  databaseUrl: string,
  registry: { cleanups: (() => Promise<void>)[]; started: Deployment[]; authorizationCode: boolean },
): Promise<BenchVariants> {
  const own = async (variant: Parameters<typeof startOurServices>[2]) => {
    const deployment = await startOurServices(client, databaseUrl, variant)
    registry.cleanups.push(() => deployment.close())
    registry.started.push(deployment)
    return deployment
  }
  const variants: BenchVariants = {}
  if (process.env.BENCH_OBSERVABILITY_OFF === '1')
    variants.quiet = await own({ name: 'ours, METRICS=off ACCESS_LOG=off', env: { METRICS: 'off', ACCESS_LOG: 'off' } })
  const tree = process.env.BENCH_COMPARE_TREE
  if (tree) variants.compared = await own({ name: `ours as built in ${tree}`, tree })
  if (process.env.BENCH_X5C !== '0') variants.x5c = await withX5cIssuer(ours)
  if (registry.authorizationCode) {
    const authorizationCode = await withAuthorizationCode(ours)
    registry.cleanups.push(() => authorizationCode.close())
    variants.authorizationCode = authorizationCode
  }
  return variants
}
