import { BaseLogger, LogLevel } from '@credo-ts/core'

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

const LEVEL_NAMES: Record<number, string> = {
  [LogLevel.test]: 'test',
  [LogLevel.trace]: 'trace',
  [LogLevel.debug]: 'debug',
  [LogLevel.info]: 'info',
  [LogLevel.warn]: 'warn',
  [LogLevel.error]: 'error',
  [LogLevel.fatal]: 'fatal',
}

/**
 * Credo `Logger` writing one JSON object per line (time, level, service, message, data), with
 * values under secret-looking keys replaced.
 */
export class JsonLogger extends BaseLogger {
  public constructor(
    logLevel: LogLevel,
    private readonly service: string,
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {
    super(logLevel)
  }

  private log(level: LogLevel, message: string, data?: Record<string, unknown>): void {
    if (!this.isEnabled(level)) return
    this.write(
      JSON.stringify({
        time: new Date().toISOString(),
        level: LEVEL_NAMES[level],
        service: this.service,
        message,
        ...(data ? { data: redact(data) } : {}),
      }),
    )
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
