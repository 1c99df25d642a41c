import { KmsUnavailableError } from '../KmsUnavailableError.js'
import { CircuitBreaker, type CircuitBreakerOptions } from './CircuitBreaker.js'
import { Semaphore } from './Semaphore.js'

export interface ResilienceOptions {
  /** Calls in flight to the KMS at once, per backend instance (default 32). */
  maxConcurrency?: number
  /** Attempts for idempotent calls (sign, verify, get public key), first one included (default 3). */
  maxAttempts?: number
  /** First retry delay; doubles each attempt, with full jitter (default 50 ms). */
  retryBaseDelayMillis?: number
  circuitBreaker?: CircuitBreakerOptions
  /**
   * The whole of one attempt, however the KMS answers (default 5,000 ms): a connection that
   * drips its answer is abandoned at the deadline, as a timeout (retried, counted by the circuit).
   */
  timeoutMillis?: number
}

export interface CallOptions {
  /** Only idempotent calls are retried. */
  idempotent: boolean
  /** What the call is, for error messages (`sign`, `create key`, …). */
  operation: string
}

/**
 * One place for what every remote KMS call needs: bounded concurrency, retries with exponential
 * backoff and full jitter for idempotent calls, and a circuit breaker. `isTransient` tells
 * which errors are worth a retry and count against the circuit (timeouts, connection errors,
 * 5xx, throttling); others (not found, bad request) are the caller's and pass straight through.
 */
export class ResilientCaller {
  private readonly semaphore: Semaphore
  private readonly breaker: CircuitBreaker
  private readonly maxAttempts: number
  private readonly retryBaseDelayMillis: number
  private readonly timeoutMillis: number

  public constructor(
    private readonly backend: string,
    private readonly isTransient: (error: unknown) => boolean,
    options: ResilienceOptions = {},
  ) {
    this.semaphore = new Semaphore(options.maxConcurrency ?? 32)
    this.breaker = new CircuitBreaker(options.circuitBreaker)
    this.maxAttempts = options.maxAttempts ?? 3
    this.retryBaseDelayMillis = options.retryBaseDelayMillis ?? 50
    this.timeoutMillis = options.timeoutMillis ?? 5_000
  }

  public get circuitState() {
    return this.breaker.currentState
  }

  public async call<T>(task: () => Promise<T>, options: CallOptions): Promise<T> {
    const attempts = options.idempotent ? this.maxAttempts : 1
    for (let attempt = 1; ; attempt++) {
      if (!this.breaker.allowRequest()) {
        throw new KmsUnavailableError(
          `The ${this.backend} KMS is unavailable (circuit open after repeated failures); ${options.operation} was not attempted`,
        )
      }
      try {
        const result = await this.semaphore.run(() => withDeadline(task, this.timeoutMillis, options.operation))
        this.breaker.recordSuccess()
        return result
      } catch (error) {
        if (!this.isTransient(error)) {
          this.breaker.recordSuccess()
          throw error
        }
        this.breaker.recordFailure()
        if (attempt >= attempts) {
          throw new KmsUnavailableError(
            `The ${this.backend} KMS is unavailable: ${options.operation} failed after ${attempt} attempt(s)`,
            { cause: error as Error },
          )
        }
        const delay = Math.random() * this.retryBaseDelayMillis * 2 ** (attempt - 1)
        await new Promise((resolve) => setTimeout(resolve, delay))
      }
    }
  }
}

/** `task`, or a timeout error (`TimeoutError`, code `ETIMEDOUT`) once `timeoutMillis` have passed. */
function withDeadline<T>(task: () => Promise<T>, timeoutMillis: number, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = Object.assign(new Error(`${operation} did not complete within ${timeoutMillis} ms`), {
        name: 'TimeoutError',
        code: 'ETIMEDOUT',
      })
      reject(error)
    }, timeoutMillis)
  })
  return Promise.race([task(), deadline]).finally(() => clearTimeout(timer))
}
