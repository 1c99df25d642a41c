import { type RuntimeMetrics, readCounter } from '@attesto/agent-runtime'
import type { StatusListTokenResolver } from '@attesto/did-cache'

/** Status-list token lookups of the verifier's status checks: answered from a cache, fetched, or failed to fetch. */
export function watchStatusLists(metrics: RuntimeMetrics, resolver: StatusListTokenResolver): void {
  readCounter(
    metrics,
    'attesto_status_list_lookups_total',
    'Status list token lookups by result (hit: cached; fetch: fetched from the issuer; fetch_error: the fetch failed)',
    ['result'],
    () => [
      [{ result: 'hit' }, resolver.hits],
      [{ result: 'fetch' }, resolver.fetches - resolver.fetchFailures],
      [{ result: 'fetch_error' }, resolver.fetchFailures],
    ],
  )
}
