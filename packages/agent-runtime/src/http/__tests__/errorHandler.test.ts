import { DomainError } from '@attesto/protocol-kit'
import { StorageUnavailableError } from '@attesto/storage-service'
import type { Request, Response } from 'express'
import { JsonLogger, logLevelFromName } from '../../logging/JsonLogger.js'
import { ProtocolError, protocolErrorHandler } from '../../protocol/ProtocolError.js'
import { errorHandler } from '../errorHandler.js'

/** A response that records nothing but accepts what the handlers call. */
function fakeResponse(): Response {
  const response = {
    headersSent: false,
    set: () => response,
    status: () => response,
    json: () => response,
  }
  return response as unknown as Response
}
const request = { method: 'GET', path: '/x', complete: true } as unknown as Request

describe('error logging', () => {
  it.each([
    ['REST', (logger: JsonLogger) => errorHandler(logger)],
    ['protocol', (logger: JsonLogger) => protocolErrorHandler(logger)],
  ])(
    '%s: writes floods of client mistakes (debug), of outages (503, warn) and of failures (error) as one line each',
    (_name, make) => {
      const lines: { level: string; data?: { suppressed?: number } }[] = []
      const handler = make(new JsonLogger(logLevelFromName('debug'), 'test', (line) => lines.push(JSON.parse(line))))
      const mistake =
        _name === 'REST'
          ? new DomainError('issuer_not_found', 'No issuer')
          : new ProtocolError(404, 'invalid_request', 'Unknown credential issuer')
      for (let index = 0; index < 6_000; index++) handler(mistake, request, fakeResponse(), () => {})
      expect(lines).toHaveLength(1)
      expect(lines[0]?.level).toBe('debug')

      // A dependency away is an expected answer (503), not an error.
      const outage = new StorageUnavailableError('The storage database is unavailable')
      for (let index = 0; index < 6_000; index++) handler(outage, request, fakeResponse(), () => {})
      expect(lines.filter((line) => line.level === 'warn')).toHaveLength(1)
      expect(lines.filter((line) => line.level === 'error')).toHaveLength(0)

      const failure = new Error('an unexpected failure')
      for (let index = 0; index < 6_000; index++) handler(failure, request, fakeResponse(), () => {})
      expect(lines.filter((line) => line.level === 'error')).toHaveLength(1)
    },
  )

  it('answers an outage on the protocol path as 503 temporarily_unavailable, an unexpected failure as 500', () => {
    const answer = (error: unknown) => {
      const recorded: { status?: number; body?: unknown } = {}
      const response = {
        headersSent: false,
        set: () => response,
        status: (status: number) => {
          recorded.status = status
          return response
        },
        json: (body: unknown) => {
          recorded.body = body
          return response
        },
      }
      protocolErrorHandler(new JsonLogger(logLevelFromName('error'), 'test', () => {}))(
        error,
        request,
        response as unknown as Response,
        () => {},
      )
      return recorded
    }
    expect(answer(new StorageUnavailableError('down'))).toEqual({
      status: 503,
      body: { error: 'temporarily_unavailable', error_description: 'A backing service is unavailable; retry later' },
    })
    expect(answer(new DomainError('queue_unavailable', 'down')).status).toBe(503)
    expect(answer(new Error('boom'))).toEqual({
      status: 500,
      body: { error: 'server_error', error_description: 'Internal error' },
    })
  })
})
