export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit (default 5). */
  failureThreshold?: number
  /** How long the circuit stays open before one trial call is let through (default 10,000 ms). */
  resetTimeoutMillis?: number
}

type State = 'closed' | 'open' | 'half-open'

/**
 * Turns an outage into fast failures: after `failureThreshold` consecutive failures the circuit
 * opens and calls are refused at once; after `resetTimeoutMillis` one trial call is let through,
 * and its success closes the circuit again.
 */
export class CircuitBreaker {
  private state: State = 'closed'
  private failures = 0
  private openedAt = 0
  private readonly failureThreshold: number
  private readonly resetTimeoutMillis: number

  public constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 5
    this.resetTimeoutMillis = options.resetTimeoutMillis ?? 10_000
  }

  /** Whether a call may go ahead now (moves an expired open circuit to half-open). */
  public allowRequest(): boolean {
    if (this.state === 'closed') return true
    if (this.state === 'open' && Date.now() - this.openedAt >= this.resetTimeoutMillis) {
      this.state = 'half-open'
      return true
    }
    return false
  }

  public recordSuccess(): void {
    this.state = 'closed'
    this.failures = 0
  }

  public recordFailure(): void {
    this.failures += 1
    if (this.state === 'half-open' || this.failures >= this.failureThreshold) {
      this.state = 'open'
      this.openedAt = Date.now()
    }
  }

  public get currentState(): State {
    return this.state
  }
}
