import type { Logger } from '@credo-ts/core'
import type { LogSampler } from './LogSampler.js'

/**
 * Logs an answered failure, sampled per status and code (the first, then one line per 10 s with
 * the count left out), so a flood of requests cannot flood the log: a 503 (a dependency is away,
 * an expected answer) at warn level, other 5xx (failures) at error level with the error, client
 * mistakes (4xx) at debug level only. `label` names the kind of request (`Request`, `Protocol request`).
 */
export function logFailure(
  logger: Logger,
  sampler: LogSampler,
  label: string,
  request: { method: string; path: string },
  failure: { status: number; code: string },
  error: unknown,
): void {
  const { status, code } = failure
  sampler.sample(`${status} ${code}`, (suppressed) => {
    const data = { method: request.method, status, code, suppressed }
    if (status === 503) logger.warn(`${label} answered 503`, data)
    else if (status >= 500) logger.error(`${label} failed`, { ...data, path: request.path, error })
    else logger.debug(`${label} refused`, data)
  })
}
