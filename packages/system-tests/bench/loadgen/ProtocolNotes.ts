/**
 * What the load generator noticed in the servers' answers that departs from the specifications but
 * does not stop a wallet (each note once, with how often it was seen). Anything that would stop a
 * wallet throws instead.
 */
export class ProtocolNotes {
  private readonly seen = new Map<string, number>()

  public note(step: string, message: string): void {
    const key = `${step}: ${message}`
    this.seen.set(key, (this.seen.get(key) ?? 0) + 1)
  }

  /** Notes `message` unless `condition` holds. */
  public expect(condition: boolean, step: string, message: string): void {
    if (!condition) this.note(step, message)
  }

  public list(): string[] {
    return [...this.seen.keys()]
  }
}

/** A broken protocol answer: the flow fails. */
export class ProtocolError extends Error {
  public constructor(step: string, message: string, options?: { cause?: unknown }) {
    super(`${step}: ${message}`, options)
    this.name = 'ProtocolError'
  }
}

/** Throws a {@link ProtocolError} unless `condition` holds. */
export function check(condition: unknown, step: string, message: string): asserts condition {
  if (!condition) throw new ProtocolError(step, message)
}
