import { StorageUnavailableError } from '@attesto/storage-service'
import type { Request, Response } from 'express'
import { JsonLogger, logLevelFromName } from '../../logging/JsonLogger.js'
import { ProtocolError, protocolErrorHandler } from '../../protocol/ProtocolError.js'
import { errorHandler } from '../errorHandler.js'
import { HttpError } from '../HttpError.js'

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
    '%s: writes a flood of client mistakes at debug level, sampled, and a flood of failures as one error line',
    (_name, make) => {
      const lines: { level: string; data?: { suppressed?: number } }[] = []
      const handler = make(new JsonLogger(logLevelFromName('debug'), 'test', (line) => lines.push(JSON.parse(line))))
      const mistake =
        _name === 'REST'
          ? new HttpError(404, 'issuer_not_found', 'No issuer')
          : new ProtocolError(404, 'invalid_request', 'Unknown credential issuer')
      for (let index = 0; index < 6_000; index++) handler(mistake, request, fakeResponse(), () => {})
      expect(lines).toHaveLength(1)
      expect(lines[0]?.level).toBe('debug')

      const outage = new StorageUnavailableError('The storage database is unavailable')
      for (let index = 0; index < 6_000; index++) handler(outage, request, fakeResponse(), () => {})
      expect(lines.filter((line) => line.level === 'error')).toHaveLength(1)
    },
  )
})
