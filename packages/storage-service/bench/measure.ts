export interface Measurement {
  name: string
  operations: number
  seconds: number
  perSecond: number
}

/** Runs `operation(i)` for i in [0, count) with `concurrency` calls in flight; returns the rate. */
export async function measure(
  name: string,
  count: number,
  concurrency: number,
  operation: (index: number) => Promise<unknown>,
): Promise<Measurement> {
  let next = 0
  const started = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++
        await operation(index)
      }
    }),
  )
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  return { name, operations: count, seconds, perSecond: count / seconds }
}
