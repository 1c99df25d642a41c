import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RuntimeConfigError } from '../config/RuntimeConfigError.js'
import { resolveSecretFiles } from '../config/resolveSecretFiles.js'
import { describeConfig, loadRuntimeConfig, SECRET_FILE_VARIABLES } from '../config/runtimeConfig.js'

describe('resolveSecretFiles', () => {
  let dir: string
  const secret = (name: string, content: string) => {
    const path = join(dir, name)
    writeFileSync(path, content)
    return path
  }
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'attesto-secrets-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('replaces <NAME>_FILE by <NAME> with the file content, final newline removed', () => {
    const env = {
      ADMIN_API_KEY_FILE: secret('admin', 'admin-key-that-is-long-enough-123\n'),
      DATABASE_URL_FILE: secret('db', 'postgres://app:p%40ss@db:5432/attesto\r\n'),
      PORT: '8080',
    }
    expect(resolveSecretFiles(env, SECRET_FILE_VARIABLES)).toEqual({
      ADMIN_API_KEY: 'admin-key-that-is-long-enough-123',
      DATABASE_URL: 'postgres://app:p%40ss@db:5432/attesto',
      PORT: '8080',
    })
    expect(env).toHaveProperty('ADMIN_API_KEY_FILE')
  })

  it('covers every secret variable, and leaves KMS_MASTER_KEY_FILE (the key file) alone', () => {
    const env = Object.fromEntries(SECRET_FILE_VARIABLES.map((name) => [`${name}_FILE`, secret(name, `v-${name}`)]))
    const resolved = resolveSecretFiles({ ...env, KMS_MASTER_KEY_FILE: '/keys/master.key' }, SECRET_FILE_VARIABLES)
    for (const name of SECRET_FILE_VARIABLES) expect(resolved[name]).toBe(`v-${name}`)
    expect(resolved.KMS_MASTER_KEY_FILE).toBe('/keys/master.key')
    expect(SECRET_FILE_VARIABLES).toEqual(
      expect.arrayContaining(['ADMIN_API_KEY', 'VAULT_TOKEN', 'VAULT_SECRET_ID', 'REDIS_URL', 'DATABASE_REPLICA_URL']),
    )
  })

  it('names every bad variable without showing any secret', () => {
    const attempt = () =>
      resolveSecretFiles(
        {
          REDIS_URL: 'redis://:inline-secret@redis:6379',
          REDIS_URL_FILE: secret('redis', 'redis://:file-secret@redis:6379'),
          VAULT_TOKEN_FILE: join(dir, 'missing'),
          ADMIN_API_KEY_FILE: secret('empty', '\n'),
        },
        SECRET_FILE_VARIABLES,
      )
    expect(attempt).toThrow(RuntimeConfigError)
    try {
      attempt()
    } catch (error) {
      const message = (error as Error).message
      expect(message).toMatch(/REDIS_URL_FILE: set REDIS_URL or REDIS_URL_FILE, not both/)
      expect(message).toMatch(/VAULT_TOKEN_FILE: cannot read .*missing \(ENOENT\)/)
      expect(message).toMatch(/ADMIN_API_KEY_FILE: .* is empty/)
      expect(message).not.toMatch(/secret@/)
    }
  })

  it('feeds loadRuntimeConfig, which validates the values read and never describes them', () => {
    const config = loadRuntimeConfig({
      ROLE: 'verifier',
      DATABASE_URL_FILE: secret('db', 'postgres://verifier_app:from-a-file@db:5432/attesto\n'),
      ADMIN_API_KEY_FILE: secret('admin', 'admin-key-that-is-long-enough-123'),
    })
    expect(config.storage.databaseUrl).toBe('postgres://verifier_app:from-a-file@db:5432/attesto')
    expect(config.adminApiKey).toBe('admin-key-that-is-long-enough-123')
    expect(JSON.stringify(describeConfig(config))).not.toMatch(/from-a-file|admin-key-that/)
    expect(() => loadRuntimeConfig({ ROLE: 'verifier', ADMIN_API_KEY_FILE: secret('short', 'too-short') })).toThrow(
      /ADMIN_API_KEY: must be at least 24 characters/,
    )
  })
})
