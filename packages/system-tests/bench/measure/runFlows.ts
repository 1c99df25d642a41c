import type { LatencySamples } from '../loadgen/LatencySamples.js'

export interface RunFlowsOptions {
  /** At most this many flows… */
  count: number
  /** …and none started after this many seconds. */
  maxSeconds: number
  concurrency: number
  /** Where each flow's duration goes, under `name`. */
  samples: LatencySamples
  name: string
  flow: () => Promise<void>
}

/**
 * Runs flows with `concurrency` in flight until `count` are done or `maxSeconds` have passed; the
 * first failing flow stops the others and is thrown. Answers the flows completed and the seconds.
 */
export async function runFlows(options: RunFlowsOptions): Promise<{ completed: number; seconds: number }> {
  const started = performance.now()
  const deadline = started + options.maxSeconds * 1000
  let begun = 0
  let completed = 0
  let failed = false
  const worker = async () => {
    while (!failed && begun < options.count && performance.now() < deadline) {
      begun += 1
      try {
        await options.samples.time(options.name, options.flow)
        completed += 1
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  return { completed, seconds: (performance.now() - started) / 1000 }
}
