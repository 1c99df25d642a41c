import { LogLevel } from '@credo-ts/core'
import { JsonLogger } from '../../src/logging/JsonLogger.js'

/** A logger that writes nothing (these tests read no log lines). */
export const silentLogger = new JsonLogger(LogLevel.off, 'test', () => {})
