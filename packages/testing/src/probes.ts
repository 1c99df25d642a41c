import { expect } from '@jest/globals'

/**
 * The probes every role serves: liveness (`/health`) and readiness (`/ready`) both answer 200,
 * through `call` (so a checked call also checks them against the OpenAPI document).
 */
export async function expectProbesUp(call: (method: string, path: string) => Promise<{ status: number }>) {
  expect((await call('GET', '/health')).status).toBe(200)
  expect((await call('GET', '/ready')).status).toBe(200)
}
