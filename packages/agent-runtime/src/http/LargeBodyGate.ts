import { DomainError } from '@attesto/protocol-kit'
import type { RequestHandler } from 'express'

export interface LargeBodyGateOptions {
  /** Large bodies read at once by this instance. */
  maxInFlight: number
  /** Large bodies read at once for one tenant (by `response.locals.tenant.id`). */
  maxInFlightPerTenant: number
}

/**
 * Bounds the large request bodies (bulk uploads) an instance reads at once, overall and per tenant,
 * so memory stays bounded whatever the callers do. It runs after authentication and before any
 * body parser: a body declared larger than the path's limit is answered `413` at once, and a
 * request over a bound is answered `429 too_many_large_bodies` (with `Retry-After`)
 * before a byte of its body is read, and its connection is closed.
 */
export class LargeBodyGate {
  private inFlight = 0
  private readonly perTenant = new Map<string, number>()

  public constructor(private readonly options: LargeBodyGateOptions) {}

  public get active(): number {
    return this.inFlight
  }

  /** The gate for a path whose bodies may be up to `limitBytes`: a larger declared length is refused at once. */
  public handler(limitBytes: number): RequestHandler {
    return (request, response, next) => {
      if (Number(request.headers['content-length'] ?? 0) > limitBytes) {
        return next(new DomainError('payload_too_large', `The request body is over ${limitBytes} bytes`))
      }
      const tenantId: string = response.locals.tenant?.id ?? ''
      const tenantCount = this.perTenant.get(tenantId) ?? 0
      if (this.inFlight >= this.options.maxInFlight || tenantCount >= this.options.maxInFlightPerTenant) {
        response.set('Retry-After', '5')
        return next(
          new DomainError(
            'too_many_large_bodies',
            'Too many large uploads are being read at once; retry in a few seconds',
          ),
        )
      }
      this.inFlight++
      this.perTenant.set(tenantId, tenantCount + 1)
      let released = false
      const release = () => {
        if (released) return
        released = true
        this.inFlight--
        const left = (this.perTenant.get(tenantId) ?? 1) - 1
        if (left <= 0) this.perTenant.delete(tenantId)
        else this.perTenant.set(tenantId, left)
      }
      request.on('close', release)
      response.on('close', release)
      response.on('finish', release)
      next()
    }
  }
}
