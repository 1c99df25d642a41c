import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RUNTIME_SECTION, RuntimeConfigError, readConfig } from '@attesto/agent-runtime'
import { loadStatusListConfig } from '../../status/statusConfig.js'
import { ISSUER_SECTIONS } from '../issuerConfig.js'

const sections = { runtime: RUNTIME_SECTION, ...ISSUER_SECTIONS }

describe("the issuer's configuration", () => {
  it('is read in one pass: runtime, queue, protocol, status list and authorization variables', () => {
    const config = readConfig(sections, {
      ROLE: 'issuer',
      METRICS: 'off',
      BATCH_CHUNK_SIZE: '7',
      C_NONCE_TTL_SECONDS: '90',
      STATUS_LIST_SIZE: '4096',
      REFRESH_TOKEN_TTL_SECONDS: '3600',
    })
    expect(config.runtime.observability.metrics).toBe(false)
    expect(config.batches.chunkSize).toBe(7)
    expect(config.protocol.cNonceTtlSeconds).toBe(90)
    expect(config.statusLists.listSize).toBe(4096)
    expect(config.authorization.refreshTokenTtlSeconds).toBe(3600)
  })

  it('names the bad variables of every section in one message', () => {
    const attempt = () =>
      readConfig(sections, { ROLE: 'issuer', PORT: 'eighty', QUEUE_CONCURRENCY: '0', STATUS_LIST_SIZE: 'big' })
    expect(attempt).toThrow(RuntimeConfigError)
    expect(attempt).toThrow(/PORT:[^\n]*\n {2}QUEUE_CONCURRENCY:[^\n]*\n {2}STATUS_LIST_SIZE:/)
  })

  it('refuses a status list token that outlives fewer than two update intervals with a RuntimeConfigError', () => {
    const attempt = () =>
      loadStatusListConfig({ STATUS_LIST_UPDATE_INTERVAL_SECONDS: '600', STATUS_LIST_TOKEN_VALIDITY_SECONDS: '900' })
    expect(attempt).toThrow(RuntimeConfigError)
    expect(attempt).toThrow(
      /STATUS_LIST_TOKEN_VALIDITY_SECONDS: must be at least twice STATUS_LIST_UPDATE_INTERVAL_SECONDS/,
    )
  })

  it('reads TOKEN_SIGNING_SECRET from TOKEN_SIGNING_SECRET_FILE, as declared', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attesto-issuer-config-'))
    try {
      const secret = randomBytes(32)
      writeFileSync(join(dir, 'secret'), `${secret.toString('base64')}\n`)
      const config = readConfig(sections, { ROLE: 'issuer', TOKEN_SIGNING_SECRET_FILE: join(dir, 'secret') })
      expect(config.protocol.tokenSigningSecret).toEqual(secret)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('makes the service or worker exit 1 at boot with every bad variable named', () => {
    const module = new URL('../issuerConfig.js', import.meta.url).href
    const child = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `(await import('${module}')).loadIssuerConfigOrExit(process.env)`],
      {
        env: { PATH: process.env.PATH, METRICS_TOKEN: 'short', SENDER_PROOF_MAX_AGE_SECONDS: '-1' },
        encoding: 'utf8',
      },
    )
    expect(child.status).toBe(1)
    expect(child.stderr).toContain('METRICS_TOKEN: must be at least 16 characters')
    expect(child.stderr).toContain('SENDER_PROOF_MAX_AGE_SECONDS:')
    expect(child.stderr).not.toContain('short')
  })
})
