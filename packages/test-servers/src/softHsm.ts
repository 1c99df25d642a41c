import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// SoftHSM2 (Debian's `softhsm2`, 2.6.1) for the tests: a token directory of their own, configured
// through SOFTHSM2_CONF, and tokens initialised in it with softhsm2-util. Nothing touches the
// machine's /var/lib/softhsm. Under CI=true a missing SoftHSM fails the tests that need it
// (.ci/ensure-services.sh installs it); elsewhere they are skipped with a message.

const MODULE_PATHS = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
]

/** The SoftHSM2 PKCS#11 module of this machine, if installed. */
export const SOFTHSM_MODULE = MODULE_PATHS.find((path) => existsSync(path))

/** Whether SoftHSM2 (module and softhsm2-util) is installed. */
export const softHsmInstalled =
  SOFTHSM_MODULE !== undefined && spawnSync('softhsm2-util', ['--version'], { stdio: 'ignore' }).status === 0

/** `describe` where SoftHSM2 is installed or under CI (where its absence must fail), else `describe.skip`. */
export function describeWithSoftHsm(name: string, tests: () => void): void {
  ;(softHsmInstalled || process.env.CI === 'true' ? describe : describe.skip)(name, tests)
}

/** The module's path; throws, saying how to install it, when SoftHSM2 is missing. */
export function requireSoftHsm(): string {
  if (!softHsmInstalled || !SOFTHSM_MODULE) {
    throw new Error('SoftHSM2 is required: apt-get install -y softhsm2 (.ci/ensure-services.sh installs it under CI)')
  }
  return SOFTHSM_MODULE
}

export interface SoftHsmDirectory {
  /** The configuration file: SOFTHSM2_CONF of every process that uses these tokens. */
  conf: string
  dir: string
  /** Removes the directory and its tokens. */
  dispose(): void
}

/**
 * A fresh token directory and its configuration; its tokens lack the mechanisms named in
 * `withoutMechanisms` (`CKM_EDDSA`, …), through SoftHSM's `slots.mechanisms`.
 */
export function softHsmDirectory(withoutMechanisms: string[] = []): SoftHsmDirectory {
  // SoftHSM 2.6.1 reads `-A,B,C` as "all but B and C": the list starts with an empty name.
  const mechanisms = withoutMechanisms.length ? `-,${withoutMechanisms.join(',')}` : 'ALL'
  requireSoftHsm()
  const dir = mkdtempSync(join(tmpdir(), 'attesto-softhsm-'))
  const conf = join(dir, 'softhsm2.conf')
  writeFileSync(
    conf,
    [
      `directories.tokendir = ${dir}`,
      'objectstore.backend = file',
      'log.level = ERROR',
      'slots.removable = false',
      `slots.mechanisms = ${mechanisms}`,
      'library.reset_on_fork = false',
      '',
    ].join('\n'),
  )
  return { conf, dir, dispose: () => rmSync(dir, { recursive: true, force: true }) }
}

export interface SoftHsmToken {
  tokenLabel: string
  pin: string
}

/**
 * A new token in the directory of `conf` (default: this process's SOFTHSM2_CONF), with a random
 * label and user PIN. A process that has the module initialised sees it only after its next
 * C_Initialize: initialise tokens before starting backends on them.
 */
export function initSoftHsmToken(conf = process.env.SOFTHSM2_CONF): SoftHsmToken {
  requireSoftHsm()
  if (!conf) throw new Error('SOFTHSM2_CONF is not set (the jest global setup of kms-adapter sets it)')
  const token = { tokenLabel: `attesto-${randomBytes(4).toString('hex')}`, pin: randomBytes(8).toString('hex') }
  const soPin = randomBytes(8).toString('hex')
  const result = spawnSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', token.tokenLabel, '--pin', token.pin, '--so-pin', soPin],
    { env: { ...process.env, SOFTHSM2_CONF: conf }, encoding: 'utf8' },
  )
  if (result.status !== 0) throw new Error(`softhsm2-util --init-token failed: ${result.stderr}${result.stdout}`)
  return token
}
