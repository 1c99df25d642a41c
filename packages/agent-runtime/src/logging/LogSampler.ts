/**
 * Keeps repeated log lines from flooding: the first line of a kind is written, then at most one
 * per `intervalMillis`, carrying how many of its kind were left out since (`suppressed`). A kind
 * is what the caller names (for example a status and an error code), never a client's input.
 */
export class LogSampler {
  private readonly kinds = new Map<string, { until: number; suppressed: number }>()

  public constructor(
    private readonly intervalMillis = 10_000,
    private readonly maxKinds = 1_000,
  ) {}

  /** Calls `write` with the suppressed count when a line of `kind` is due; otherwise counts it. */
  public sample(kind: string, write: (suppressed: number) => void): void {
    const now = Date.now()
    const entry = this.kinds.get(kind)
    if (entry && entry.until > now) {
      entry.suppressed++
      return
    }
    if (!entry && this.kinds.size >= this.maxKinds) this.kinds.clear()
    this.kinds.set(kind, { until: now + this.intervalMillis, suppressed: 0 })
    write(entry?.suppressed ?? 0)
  }
}
