import type { ReadinessReturn } from '../agent/createRuntimeAgent.js'
import { openApi } from '../openapi/openApi.js'
import { type BoundRoute, operation } from '../routing/operation.js'
import { healthResponse, readinessResponse } from './apiResponses.js'

const { answer } = openApi

export const getHealth = operation({
  method: 'get',
  path: '/health',
  operationId: 'getHealth',
  tags: ['Operations'],
  summary: 'Liveness',
  security: [],
  responses: { '200': answer('Alive', healthResponse) },
})

export const getReadiness = operation({
  method: 'get',
  path: '/ready',
  operationId: 'getReadiness',
  tags: ['Operations'],
  summary: 'Readiness: storage and KMS answer',
  security: [],
  responses: { '200': answer('Ready', readinessResponse), '503': answer('Not ready', readinessResponse) },
})

/**
 * `GET /health`: the process is alive (no dependency is consulted).
 * `GET /ready`: storage and KMS answer; 503 with the failing checks otherwise, so a load
 * balancer stops sending traffic to this instance.
 */
export function healthRoutes(readiness: () => Promise<ReadinessReturn>): BoundRoute[] {
  return [
    getHealth.handle((_request, response) => {
      response.json({ status: 'ok' })
    }),
    getReadiness.handle(async (_request, response) => {
      const result = await readiness()
      response
        .status(result.ready ? 200 : 503)
        .json({ status: result.ready ? 'ready' : 'not_ready', checks: result.checks })
    }),
  ]
}
