import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LogLevel } from '@credo-ts/core'
import { RuntimeConfigError } from '../config/RuntimeConfigError.js'
import { describeConfig, loadRuntimeConfig } from '../config/runtimeConfig.js'
import { JsonLogger } from '../logging/JsonLogger.js'

describe('loadRuntimeConfig', () => {
  it('gives embedded defaults: PGlite under ./data/<role>, local KMS with a key file, port 3000', () => {
    const config = loadRuntimeConfig({ ROLE: 'verifier' })
    expect(config.storage).toMatchObject({
      databaseUrl: undefined,
      schema: 'verifier',
      pgliteDataDir: './data/verifier',
    })
    expect(config.kms).toEqual({
      backend: 'local',
      masterKey: undefined,
      masterKeyFile: './data/verifier-master.key',
      previousMasterKeys: [],
    })
    expect(config.port).toBe(3000)
    expect(config.publicBaseUrl).toBe('http://127.0.0.1:3000')
  })

  it('reads the edge: 127.0.0.1 unless HOST says otherwise, no CORS origin, limits per minute', () => {
    expect(loadRuntimeConfig({ ROLE: 'issuer' }).edge).toEqual({
      host: '127.0.0.1',
      trustProxyHops: 0,
      corsAllowedOrigins: [],
      rateLimits: { tokenPerAddress: 300, protocolPerAddress: 600, apiPerTenant: 3000 },
    })
    const edge = loadRuntimeConfig({
      ROLE: 'issuer',
      HOST: '0.0.0.0',
      CORS_ALLOWED_ORIGINS: 'https://console.example.com, http://127.0.0.1:5173/',
      API_REQUESTS_PER_MINUTE_PER_TENANT: '0',
    }).edge
    expect(edge.host).toBe('0.0.0.0')
    expect(edge.corsAllowedOrigins).toEqual(['https://console.example.com', 'http://127.0.0.1:5173'])
    expect(edge.rateLimits.apiPerTenant).toBe(0)
    expect(() => loadRuntimeConfig({ ROLE: 'issuer', CORS_ALLOWED_ORIGINS: '*' })).toThrow(/CORS_ALLOWED_ORIGINS:/)
  })

  it('names every bad variable and what it needs', () => {
    const attempt = () => loadRuntimeConfig({ ROLE: 'printer', PORT: 'eighty', KMS_BACKEND: 'vault' })
    expect(attempt).toThrow(RuntimeConfigError)
    expect(attempt).toThrow(/ROLE:/)
    expect(attempt).toThrow(/PORT:/)
    try {
      loadRuntimeConfig({ ROLE: 'issuer', KMS_BACKEND: 'vault' })
    } catch (error) {
      expect((error as Error).message).toMatch(/VAULT_ADDR: required when KMS_BACKEND=vault/)
      expect((error as Error).message).toMatch(/VAULT_TOKEN: required/)
    }
    expect(() => loadRuntimeConfig({ ROLE: 'issuer', KMS_BACKEND: 'aws' })).toThrow(/AWS_REGION/)
  })

  it('reads several admin keys, the API-key cache time and previous local master keys', () => {
    const current = 'c'.repeat(24)
    const previous = 'p'.repeat(24)
    const oldMasterKey = Buffer.alloc(32, 7).toString('base64')
    const config = loadRuntimeConfig({
      ROLE: 'issuer',
      ADMIN_API_KEY: current,
      ADMIN_API_KEYS: ` ${previous}, ${current} `,
      API_KEY_CACHE_SECONDS: '2',
      LOCAL_KMS_PREVIOUS_MASTER_KEYS: `${oldMasterKey}\n`,
    })
    expect(config.adminApiKeys).toEqual([current, previous])
    expect(config.apiKeyCacheSeconds).toBe(2)
    expect(config.kms).toMatchObject({ previousMasterKeys: [oldMasterKey] })
    expect(loadRuntimeConfig({ ROLE: 'issuer' })).toMatchObject({ adminApiKeys: [], apiKeyCacheSeconds: 10 })
    expect(loadRuntimeConfig({ ROLE: 'issuer', ADMIN_API_KEYS: previous }).adminApiKey).toBe(previous)
    expect(() => loadRuntimeConfig({ ROLE: 'issuer', ADMIN_API_KEYS: `${current},short` })).toThrow(
      /ADMIN_API_KEYS: each key must be at least 24 characters/,
    )
    const described = JSON.stringify(describeConfig(config))
    expect(described).not.toContain(previous)
    expect(described).not.toContain(oldMasterKey)
  })

  it('reads the PKCS#11 backend: module, token label and PIN (also from PKCS11_PIN_FILE), never describing the PIN', () => {
    const attempt = () => loadRuntimeConfig({ ROLE: 'issuer', KMS_BACKEND: 'pkcs11' })
    expect(attempt).toThrow(/PKCS11_MODULE: required when KMS_BACKEND=pkcs11/)
    expect(attempt).toThrow(/PKCS11_TOKEN_LABEL: required/)
    expect(attempt).toThrow(/PKCS11_PIN: required when KMS_BACKEND=pkcs11 \(or PKCS11_PIN_FILE\)/)
    const dir = mkdtempSync(join(tmpdir(), 'attesto-pin-'))
    try {
      writeFileSync(join(dir, 'pin'), 'pin-from-a-file-4711\n')
      const config = loadRuntimeConfig({
        ROLE: 'verifier',
        KMS_BACKEND: 'pkcs11',
        PKCS11_MODULE: '/usr/lib/softhsm/libsofthsm2.so',
        PKCS11_TOKEN_LABEL: 'attesto-verifier',
        PKCS11_PIN_FILE: join(dir, 'pin'),
      })
      expect(config.kms).toEqual({
        backend: 'pkcs11',
        module: '/usr/lib/softhsm/libsofthsm2.so',
        tokenLabel: 'attesto-verifier',
        pin: 'pin-from-a-file-4711',
        maxSessions: 8,
      })
      const described = JSON.stringify(describeConfig(config))
      expect(described).toContain('attesto-verifier')
      expect(described).not.toContain('pin-from-a-file')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('describes the configuration without secrets', () => {
    const config = loadRuntimeConfig({
      ROLE: 'issuer',
      DATABASE_URL: 'postgres://app:s3cret@db:5432/attesto',
      KMS_BACKEND: 'vault',
      VAULT_ADDR: 'https://vault:8200',
      VAULT_TOKEN: 'hvs.very-secret-token',
      ADMIN_API_KEY: 'admin-key-that-is-long-enough-123',
    })
    const text = JSON.stringify(describeConfig(config))
    expect(text).not.toMatch(/s3cret|very-secret-token|admin-key-that/)
    expect(text).toContain('postgres://app:***@db:5432/attesto')
  })
})

describe('JsonLogger', () => {
  it('writes one JSON line per entry, above its level, with secrets replaced', () => {
    const lines: string[] = []
    const logger = new JsonLogger(LogLevel.info, 'issuer', (line) => lines.push(line))
    logger.debug('hidden')
    logger.warn('token refreshed', { token: 'abc', nested: { apiKey: 'k', privateJwk: { d: 'x' }, kept: 1 } })
    expect(lines).toHaveLength(1)
    const entry = JSON.parse(lines[0] as string)
    expect(entry).toMatchObject({ level: 'warn', service: 'issuer', message: 'token refreshed' })
    expect(entry.data).toEqual({ token: '***', nested: { apiKey: '***', privateJwk: '***', kept: 1 } })
  })
})
