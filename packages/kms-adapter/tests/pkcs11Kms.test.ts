import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { describeWithSoftHsm, initSoftHsmToken, requireSoftHsm, softHsmDirectory } from '@attesto/test-servers'
import { AgentContext, DependencyManager, Kms } from '@credo-ts/core'
import { backendKeyName } from '../src/keyNaming.js'
import { Pkcs11KeyManagementService } from '../src/pkcs11/Pkcs11KeyManagementService.js'
import { CKA, CKO, CKU_USER, type Handle, type Pkcs11Api } from '../src/pkcs11/pkcs11Api.js'
import { openPkcs11Library, type Pkcs11Library } from '../src/pkcs11/pkcs11Library.js'
import { findObjects } from '../src/pkcs11/tokenOperations.js'
import { independentlyVerified } from './conformance/kmsConformance.js'

// Behaviour of the PKCS#11 backend that the conformance suite does not see, on SoftHSM2 tokens of
// this run: what the key objects are, roles apart on one token, sessions the token closed, keys
// deleted by another instance, the start-up checks, and what a token that lacks mechanisms offers.

const context = (tenantId: string) =>
  new AgentContext({ dependencyManager: new DependencyManager(), contextCorrelationId: tenantId })
const data = new TextEncoder().encode('signed in the token')

describeWithSoftHsm('PKCS#11 backend on SoftHSM2', () => {
  let module: string
  let token: { tokenLabel: string; pin: string }
  let library: Pkcs11Library
  let session: Handle
  const started: Pkcs11KeyManagementService[] = []
  const start = async (options: { role?: string; prefix?: string; maxSessions?: number } = {}) => {
    const kms = await Pkcs11KeyManagementService.start({
      module,
      ...token,
      role: options.role ?? 'issuer',
      prefix: options.prefix ?? 'pk',
      maxSessions: options.maxSessions,
      retryBaseDelayMillis: 5,
    })
    started.push(kms)
    return kms
  }
  /** This test's own session on the token (the module is shared with the backends in this process). */
  const api = (): Pkcs11Api => library.api

  beforeAll(async () => {
    module = requireSoftHsm()
    token = initSoftHsmToken()
    await start()
    library = await openPkcs11Library(module)
    const slot = api()
      .C_GetSlotList(true)
      .find((candidate) => api().C_GetTokenInfo(candidate).label.trim() === token.tokenLabel) as Handle
    session = api().C_OpenSession(slot, 0x6)
    try {
      api().C_Login(session, CKU_USER, token.pin)
    } catch {
      // Already logged in by the backend: login is per application and token.
    }
  })
  afterAll(() => {
    for (const kms of started) kms.close()
    library?.release()
  })

  it('generates keys in the token: sensitive, never extractable, not modifiable, token objects; the value cannot be read', async () => {
    const kms = started[0] as Pkcs11KeyManagementService
    const tenant = context('tenantA')
    await kms.createKey(tenant, { keyId: 'k1', type: { kty: 'EC', crv: 'P-256' } })
    const label = backendKeyName({ role: 'issuer', prefix: 'pk' }, tenant, 'k1')
    expect(label).toBe('pk-issuer-tenantA-k1')
    const [privateKey] = findObjects(
      api(),
      session,
      [
        { type: CKA.LABEL, value: label },
        { type: CKA.CLASS, value: CKO.PRIVATE_KEY },
      ],
      2,
    )
    const flags = api()
      .C_GetAttributeValue(session, privateKey as Handle, [
        { type: CKA.TOKEN },
        { type: CKA.SENSITIVE },
        { type: CKA.EXTRACTABLE },
        { type: CKA.NEVER_EXTRACTABLE },
        { type: CKA.ALWAYS_SENSITIVE },
        { type: CKA.LOCAL },
        { type: CKA.MODIFIABLE },
        { type: CKA.SIGN },
        { type: CKA.DERIVE },
      ])
      .map(({ value }) => value[0] === 1)
    expect(flags).toEqual([true, true, false, true, true, true, false, true, true])
    expect(() => api().C_GetAttributeValue(session, privateKey as Handle, [{ type: CKA.VALUE }])).toThrow(
      /CKR_ATTRIBUTE_SENSITIVE/,
    )
    // Not modifiable: the key cannot be moved to another role or tenant by relabelling it.
    expect(
      () =>
        (api() as unknown as { C_SetAttributeValue: (...args: unknown[]) => void }).C_SetAttributeValue(
          session,
          privateKey,
          [{ type: CKA.LABEL, value: 'pk-issuer-tenantB-k1' }],
        ),
      // CKR_ACTION_PROHIBITED is 0x1b; pkcs11js 2.1.7 has no name for it.
    ).toThrow(/CKR_ATTRIBUTE_READ_ONLY|CKR_ACTION_PROHIBITED|CKR_VENDOR_DEFINED:27$/)
  })

  it('wraps keys under an AES key of the tenant in the token (sensitive, never extractable, encryption only); each instance unwraps what another wrapped, even when both made the key at once', async () => {
    const [mine, theirs] = [started[0] as Pkcs11KeyManagementService, await start()]
    const tenant = context('tenantW')
    const key = new Uint8Array(randomBytes(120))
    const wrapContext = { purpose: 'test', requestId: 'r1' }
    // Two instances make the tenant's wrapping key at once: both end up using the same one.
    const [first, second] = await Promise.all(
      [mine, theirs].map((kms) => kms.wrapKey?.(tenant, { key, context: wrapContext })),
    )
    expect(first?.wrappedKey).toMatch(/^pkcs11:v1:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/)
    for (const [kms, wrapped] of [
      [theirs, first],
      [mine, second],
    ] as const) {
      const unwrapped = await kms.unwrapKey?.(tenant, {
        wrappedKey: wrapped?.wrappedKey as string,
        context: wrapContext,
      })
      expect(Buffer.from(unwrapped?.key ?? []).equals(Buffer.from(key))).toBe(true)
    }
    const wrappingKeys = findObjects(
      api(),
      session,
      [
        { type: CKA.LABEL, value: 'pk-issuer-tenantW-_wrap' },
        { type: CKA.CLASS, value: CKO.SECRET_KEY },
      ],
      4,
    )
    // Made at once by two instances, there may be two; new wraps use the lowest CKA_ID.
    expect(wrappingKeys.length).toBeGreaterThanOrEqual(1)
    for (const wrappingKey of wrappingKeys) {
      const flags = api()
        .C_GetAttributeValue(session, wrappingKey, [
          { type: CKA.TOKEN },
          { type: CKA.SENSITIVE },
          { type: CKA.EXTRACTABLE },
          { type: CKA.NEVER_EXTRACTABLE },
          { type: CKA.MODIFIABLE },
          { type: CKA.ENCRYPT },
          { type: CKA.DECRYPT },
          { type: CKA.SIGN },
          { type: CKA.WRAP },
        ])
        .map(({ value }) => value[0] === 1)
      expect(flags).toEqual([true, true, false, true, false, true, true, false, false])
      expect(() => api().C_GetAttributeValue(session, wrappingKey, [{ type: CKA.VALUE }])).toThrow(
        /CKR_ATTRIBUTE_SENSITIVE/,
      )
    }
  })

  it('keeps two roles on one token apart: the verifier finds none of the issuer’s keys', async () => {
    const issuer = started[0] as Pkcs11KeyManagementService
    const verifier = await start({ role: 'verifier' })
    const tenant = context('shared-tenant')
    const { keyId } = await issuer.createKey(tenant, { type: { kty: 'EC', crv: 'P-256' } })
    expect(await verifier.getPublicKey(tenant, keyId)).toBeNull()
    await expect(verifier.sign(tenant, { keyId, algorithm: 'ES256', data })).rejects.toBeInstanceOf(
      Kms.KeyManagementKeyNotFoundError,
    )
    expect(await verifier.deleteKey(tenant, { keyId })).toBe(false)
    await expect(issuer.sign(tenant, { keyId, algorithm: 'ES256', data })).resolves.toHaveProperty('signature')
  })

  it('replaces sessions the token closed and logs in again', async () => {
    const kms = started[0] as Pkcs11KeyManagementService
    const tenant = context('sessions')
    const { keyId, publicJwk } = await kms.createKey(tenant, { type: { kty: 'EC', crv: 'P-256' } })
    // Closing every session of the application also ends its login.
    const slot = api()
      .C_GetSlotList(true)
      .find((candidate) => api().C_GetTokenInfo(candidate).label.trim() === token.tokenLabel) as Handle
    ;(api() as unknown as { C_CloseAllSessions: (slot: Handle) => void }).C_CloseAllSessions(slot)
    const { signature } = await kms.sign(tenant, { keyId, algorithm: 'ES256', data })
    expect(independentlyVerified(publicJwk, 'ES256', data, signature)).toBe(true)
    session = api().C_OpenSession(slot, 0x6)
  })

  it('answers not found for a key another instance deleted after this one cached it', async () => {
    const [mine, theirs] = [started[0] as Pkcs11KeyManagementService, await start()]
    const tenant = context('deleted-elsewhere')
    const { keyId } = await mine.createKey(tenant, { type: { kty: 'OKP', crv: 'Ed25519' } })
    await mine.sign(tenant, { keyId, algorithm: 'EdDSA', data })
    expect(await theirs.deleteKey(tenant, { keyId })).toBe(true)
    await expect(mine.sign(tenant, { keyId, algorithm: 'EdDSA', data })).rejects.toBeInstanceOf(
      Kms.KeyManagementKeyNotFoundError,
    )
  })

  it('signs 200 messages at once on a pool of 2 sessions, every signature valid', async () => {
    const kms = await start({ maxSessions: 2 })
    const tenant = context('concurrent')
    const { keyId, publicJwk } = await kms.createKey(tenant, { type: { kty: 'EC', crv: 'P-384' } })
    const messages = Array.from({ length: 200 }, (_, i) => new TextEncoder().encode(`message ${i}`))
    const signatures = await Promise.all(
      messages.map((message) => kms.sign(tenant, { keyId, algorithm: 'ES384', data: message })),
    )
    expect(
      signatures.every(({ signature }, i) =>
        independentlyVerified(publicJwk, 'ES384', messages[i] as Uint8Array, signature),
      ),
    ).toBe(true)
  })

  it('refuses to start on an unknown token or module, saying which', async () => {
    await expect(
      Pkcs11KeyManagementService.start({ module, tokenLabel: 'no-such-token', pin: token.pin, role: 'issuer' }),
    ).rejects.toThrow(new RegExp(`No PKCS#11 token labelled 'no-such-token' .*'${token.tokenLabel}'`))
    await expect(
      Pkcs11KeyManagementService.start({
        module: '/nonexistent/libpkcs11.so',
        tokenLabel: 'x',
        pin: 'x',
        role: 'issuer',
      }),
    ).rejects.toThrow(/Cannot load the PKCS#11 module \/nonexistent\/libpkcs11.so/)
  })
})

/**
 * Starts the backend in a process of its own (the module's login state is per process) on a new
 * token whose module lacks `withoutMechanisms`, with `pin` instead of the token's when given.
 */
function startInOwnProcess(withoutMechanisms: string[], pin?: string): { status: number | null; output: string } {
  const directory = softHsmDirectory(withoutMechanisms)
  try {
    const token = initSoftHsmToken(directory.conf)
    const index = fileURLToPath(new URL('../src/pkcs11/Pkcs11KeyManagementService.js', import.meta.url))
    const script = `
      import { Pkcs11KeyManagementService } from ${JSON.stringify(index)}
      const kms = await Pkcs11KeyManagementService.start(JSON.parse(process.env.OPTIONS))
      const t = { contextCorrelationId: 't' }
      const offers = (operation) => kms.isOperationSupported(t, operation)
      const refused = await kms.createKey(t, { type: { kty: 'OKP', crv: 'Ed25519' } }).catch((e) => e.constructor.name + ': ' + e.message)
      console.log(JSON.stringify({
        capabilities: kms.capabilities,
        ES256: offers({ operation: 'sign', algorithm: 'ES256' }),
        EdDSA: offers({ operation: 'sign', algorithm: 'EdDSA' }),
        decrypt: offers({ operation: 'decrypt', decryption: { algorithm: 'A128GCM' }, keyAgreement: { algorithm: 'ECDH-ES' } }),
        wraps: typeof kms.wrapKey === 'function',
        refused,
      }))
      kms.close()`
    const options = { module: requireSoftHsm(), ...token, pin: pin ?? token.pin, role: 'verifier' }
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, SOFTHSM2_CONF: directory.conf, OPTIONS: JSON.stringify(options) },
      encoding: 'utf8',
    })
    return { status: result.status, output: `${result.stdout}${result.stderr}` }
  } finally {
    directory.dispose()
  }
}

describeWithSoftHsm('PKCS#11 backend starting in a process of its own', () => {
  it('refuses to start with a wrong PIN, saying so without showing it', () => {
    const wrongPin = `wrong-${randomBytes(4).toString('hex')}`
    const { status, output } = startInOwnProcess([], wrongPin)
    expect(status).not.toBe(0)
    expect(output).toMatch(/Login to the PKCS#11 token attesto-[0-9a-f]{8} failed: CKR_PIN_INCORRECT/)
    expect(output).not.toContain(wrongPin)
  })

  it('offers neither EdDSA nor ECDH-ES decryption when the token lacks CKM_EDDSA and CKM_ECDH1_DERIVE, from the start', () => {
    const { status, output } = startInOwnProcess(['CKM_EDDSA', 'CKM_ECDH1_DERIVE'])
    expect(status).toBe(0)
    const found = JSON.parse(output.trim().split('\n').at(-1) as string)
    expect(found).toMatchObject({ ES256: true, EdDSA: false, decrypt: false, capabilities: { agreement: false } })
    // Encrypted responses need key wrapping only, which the token still offers (CKM_AES_GCM).
    expect(found.wraps).toBe(true)
    expect(Object.keys(found.capabilities.curves)).toEqual(['P-256', 'P-384'])
    expect(found.capabilities.missing).toEqual([
      'ECDH-ES decryption: the token offers no CKM_ECDH1_DERIVE',
      'Ed25519 keys: no CKM_EC_EDWARDS_KEY_PAIR_GEN and CKM_EDDSA',
    ])
    expect(found.refused).toBe(
      'KeyManagementAlgorithmNotSupportedError: pkcs11 backend does not support key type OKP Ed25519.',
    )
  })

  it('offers no key wrapping (so no direct_post.jwt) when the token lacks CKM_AES_GCM, and says so', () => {
    const { status, output } = startInOwnProcess(['CKM_AES_GCM'])
    expect(status).toBe(0)
    const found = JSON.parse(output.trim().split('\n').at(-1) as string)
    expect(found).toMatchObject({ ES256: true, wraps: false, capabilities: { wrapping: null } })
    expect(found.capabilities.missing).toEqual([
      'key wrapping (direct_post.jwt): the token offers no CKM_AES_KEY_GEN and CKM_AES_GCM',
    ])
  })

  it('refuses to start on a token without ECDSA, saying so', () => {
    const { status, output } = startInOwnProcess(['CKM_ECDSA'])
    expect(status).not.toBe(0)
    expect(output).toMatch(/offers no ECDSA \(CKM_EC_KEY_PAIR_GEN and CKM_ECDSA\): the pkcs11 backend needs ES256/)
  })
})
