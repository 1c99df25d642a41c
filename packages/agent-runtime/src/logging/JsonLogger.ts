import { BaseLogger, LogLevel } from '@credo-ts/core'
import { type DestinationStream, type Logger as Pino, pino } from 'pino'
import { currentRequestId } from './requestContext.js'

const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authorization|private|^d$|masterkey/i

/** Replaces values under secret-looking keys, at any depth. */
function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value
  if (value instanceof Error) return { name: value.name, message: value.message }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1))
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, SECRET_KEY.test(key) ? '***' : redact(item, depth + 1)]),
  )
}

const PINO_LEVELS: Record<number, pino.LevelWithSilent> = {
  [LogLevel.test]: 'trace',
  [LogLevel.trace]: 'trace',
  [LogLevel.debug]: 'debug',
  [LogLevel.info]: 'info',
  [LogLevel.warn]: 'warn',
  [LogLevel.error]: 'error',
  [LogLevel.fatal]: 'fatal',
  [LogLevel.off]: 'silent',
}

/**
 * Credo `Logger` on pino: one JSON object per line (`time`, `level`, `service`, `message`,
 * `data`, and `requestId` when the line is written while handling a request), values under
 * secret-looking keys replaced. `write` receives each line (tests); stdout by default, written
 * asynchronously.
 * {@link JsonLogger.pino} is the pino logger itself (the access log writes through it).
 */
export class JsonLogger extends BaseLogger {
  public readonly pino: Pino

  public constructor(logLevel: LogLevel, service: string, write?: (line: string) => void) {
    super(logLevel)
    const destination: DestinationStream | undefined = write
      ? { write: (line: string) => write(line.endsWith('\n') ? line.slice(0, -1) : line) }
      : undefined
    const options: pino.LoggerOptions = {
      level: PINO_LEVELS[logLevel] ?? 'info',
      base: { service },
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: (line) => {
        if ((line as { requestId?: unknown }).requestId) return {}
        const requestId = currentRequestId()
        return requestId ? { requestId } : {}
      },
    }
    // stdout without blocking: a line is handed to the kernel as soon as the previous write is
    // done, lines written meanwhile go out together; pino flushes what is pending when the process
    // exits (a kill -9 can lose the lines of the last moment).
    this.pino = pino(options, destination ?? pino.destination({ dest: 1, sync: false }))
  }

  private log(level: LogLevel, message: string, data?: Record<string, unknown>): void {
    if (!this.isEnabled(level)) return
    const method = PINO_LEVELS[level] as Exclude<pino.LevelWithSilent, 'silent'>
    if (data) this.pino[method]({ data: redact(data) }, message)
    else this.pino[method](message)
  }

  public test(message: string, data?: Record<string, unknown>) {
    this.log(LogLevel.test, message, data)
  }
  public trace(message: string, data?: Record<string, unknown>) {
    this.log(LogLevel.trace, message, data)
  }
  public debug(message: string, data?: Record<string, unknown>) {
    this.log(LogLevel.debug, message, data)
  }
  public info(message: string, data?: Record<string, unknown>) {
    this.log(LogLevel.info, message, data)
  }
  public warn(message: string, data?: Record<string, unknown>) {
    this.log(LogLevel.warn, message, data)
  }
  public error(message: string, data?: Record<string, unknown>) {
    this.log(LogLevel.error, message, data)
  }
  public fatal(message: string, data?: Record<string, unknown>) {
    this.log(LogLevel.fatal, message, data)
  }
}

export function logLevelFromName(name: 'trace' | 'debug' | 'info' | 'warn' | 'error'): LogLevel {
  return LogLevel[name]
}
