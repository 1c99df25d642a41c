import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { configSection, readConfig, readSection, variable, variablesOf } from '../config/configSection.js'
import { environmentMarkdown, environmentRows } from '../config/environmentTable.js'
import { RuntimeConfigError } from '../config/RuntimeConfigError.js'
import { RUNTIME_SECTION } from '../config/runtimeConfig.js'

const limits = configSection({
  variables: {
    LIMIT_SECONDS: variable(z.coerce.number().int().positive().default(30), { description: 'a limit' }),
    LIMIT_MAX_SECONDS: variable(z.coerce.number().int().positive().default(60), { description: 'its bound' }),
  },
  check: (e) =>
    e.LIMIT_MAX_SECONDS < e.LIMIT_SECONDS ? [{ variable: 'LIMIT_MAX_SECONDS', message: 'below LIMIT_SECONDS' }] : [],
  from: (e) => ({ seconds: e.LIMIT_SECONDS, maxSeconds: e.LIMIT_MAX_SECONDS }),
})
const secrets = configSection({
  variables: {
    SERVICE_TOKEN: variable(z.string().min(16, 'must be at least 16 characters').optional(), {
      description: 'a token',
      secret: true,
      roles: ['issuer'],
    }),
    SERVICE_MODE: variable(z.enum(['fast', 'safe']).default('safe'), { description: 'a mode' }),
  },
  from: (e) => ({ token: e.SERVICE_TOKEN, mode: e.SERVICE_MODE }),
})

describe('configuration sections', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'attesto-config-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('reads every section from one environment, defaults for what is unset', () => {
    expect(readConfig({ limits, secrets }, { LIMIT_SECONDS: '10' })).toEqual({
      limits: { seconds: 10, maxSeconds: 60 },
      secrets: { token: undefined, mode: 'safe' },
    })
  })

  it('names every bad variable of every section in one RuntimeConfigError', () => {
    const attempt = () => readConfig({ limits, secrets }, { LIMIT_SECONDS: 'soon', SERVICE_MODE: 'reckless' })
    expect(attempt).toThrow(RuntimeConfigError)
    expect(attempt).toThrow(/Invalid configuration:\n {2}LIMIT_SECONDS: .*\n {2}SERVICE_MODE: /)
  })

  it('runs the cross-variable checks once every value parsed, naming the variable', () => {
    expect(() => readSection(limits, { LIMIT_SECONDS: '90' })).toThrow(
      /Invalid configuration:\n {2}LIMIT_MAX_SECONDS: below LIMIT_SECONDS/,
    )
  })

  it('reads a secret from <NAME>_FILE, and only a variable declared secret', () => {
    const path = join(dir, 'token')
    writeFileSync(path, 'a-token-long-enough-to-pass\n')
    expect(readSection(secrets, { SERVICE_TOKEN_FILE: path }).token).toBe('a-token-long-enough-to-pass')
    writeFileSync(join(dir, 'mode'), 'fast')
    expect(readSection(secrets, { SERVICE_MODE_FILE: join(dir, 'mode') }).mode).toBe('safe')
    writeFileSync(path, 'short')
    const attempt = () => readSection(secrets, { SERVICE_TOKEN_FILE: path })
    expect(attempt).toThrow(/SERVICE_TOKEN: must be at least 16 characters/)
    expect(attempt).not.toThrow(/short/)
  })

  it('refuses one name declared by two sections', () => {
    const again = configSection({ variables: { LIMIT_SECONDS: limits.variables.LIMIT_SECONDS }, from: () => ({}) })
    expect(() => variablesOf({ limits, again })).not.toThrow()
    const other = configSection({
      variables: { LIMIT_SECONDS: variable(z.string().optional(), { description: 'another meaning' }) },
      from: () => ({}),
    })
    expect(() => readConfig({ limits, other }, {})).toThrow('LIMIT_SECONDS is declared twice')
  })

  it('lists each variable once with the services reading it, its default and whether it may come from a file', () => {
    const rows = environmentRows({ issuer: { limits, secrets }, verifier: { limits, secrets } })
    expect(rows).toEqual([
      expect.objectContaining({ name: 'LIMIT_SECONDS', roles: ['issuer', 'verifier'], defaultText: '30' }),
      expect.objectContaining({ name: 'LIMIT_MAX_SECONDS', defaultText: '60' }),
      expect.objectContaining({ name: 'SERVICE_TOKEN', roles: ['issuer'], defaultText: 'none', fromFile: true }),
      expect.objectContaining({ name: 'SERVICE_MODE', defaultText: '`safe`', secret: false, fromFile: false }),
    ])
    const table = environmentMarkdown(rows)
    expect(table).toContain(
      '| `SERVICE_TOKEN` or `SERVICE_TOKEN_FILE` | issuer | none | a token; secret, never logged |',
    )
    expect(table).toContain('| `LIMIT_SECONDS` | both | 30 | a limit |')
  })

  it('declares the runtime: the local master key is secret but has its own file variable', () => {
    const runtime = variablesOf({ RUNTIME_SECTION })
    expect(runtime.KMS_MASTER_KEY).toMatchObject({ secret: true, fromFile: false })
    expect(runtime.KMS_MASTER_KEY_FILE?.secret).toBeUndefined()
    for (const declaration of Object.values(runtime)) expect(declaration.description.length).toBeGreaterThan(0)
  })
})
