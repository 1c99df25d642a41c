export interface Percentiles {
  p50: number
  p95: number
  p99: number
  count: number
}

/** Latencies in milliseconds by name (a flow kind or an HTTP step), in the order names first appear. */
export class LatencySamples {
  private readonly samples = new Map<string, number[]>()

  public add(name: string, millis: number): void {
    const list = this.samples.get(name)
    if (list) list.push(millis)
    else this.samples.set(name, [millis])
  }

  public async time<T>(name: string, call: () => Promise<T>): Promise<T> {
    const started = performance.now()
    try {
      return await call()
    } finally {
      this.add(name, performance.now() - started)
    }
  }

  public names(): string[] {
    return [...this.samples.keys()]
  }

  public percentiles(name: string): Percentiles {
    const sorted = [...(this.samples.get(name) ?? [])].sort((a, b) => a - b)
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
    return { p50: at(50), p95: at(95), p99: at(99), count: sorted.length }
  }

  public clear(): void {
    this.samples.clear()
  }
}
