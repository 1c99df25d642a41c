#!/usr/bin/env node
// What installing @attesto/holder costs an app: packs the holder and the workspace packages it
// depends on, installs the holder's tarball with --omit=dev into an empty directory (the other
// workspace packages from their tarballs through overrides), then prints the size of
// node_modules and which server packages are in the tree and who pulls them in.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const SERVER_PACKAGES = [
  '@aws-sdk/client-kms',
  'node-vault',
  'pkcs11js',
  'express',
  'ws',
  'ioredis',
  'bullmq',
  'pg',
  '@electric-sql/pglite',
  '@credo-ts/node',
  '@credo-ts/didcomm',
  '@2060.io/ffi-napi',
]

const workspaceDir = (name) => join(root, 'packages', name.replace('@attesto/', ''))
const manifest = (name) => JSON.parse(readFileSync(join(workspaceDir(name), 'package.json'), 'utf8'))

function workspaceClosure(name, seen = new Set()) {
  seen.add(name)
  for (const dependency of Object.keys(manifest(name).dependencies ?? {})) {
    if (dependency.startsWith('@attesto/') && !seen.has(dependency)) workspaceClosure(dependency, seen)
  }
  return seen
}

function directorySize(path) {
  let bytes = 0
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name)
    if (entry.isDirectory()) bytes += directorySize(full)
    else if (entry.isFile()) bytes += statSync(full).size
  }
  return bytes
}

const work = mkdtempSync(join(tmpdir(), 'holder-install-'))
try {
  const tarballs = {}
  for (const name of workspaceClosure('@attesto/holder')) {
    const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {
      cwd: workspaceDir(name),
      encoding: 'utf8',
    })
    tarballs[name] = `file:${join(work, out.trim().split('\n').pop())}`
  }
  const app = join(work, 'app')
  execFileSync('mkdir', ['-p', app])
  const rootOverrides = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).overrides ?? {}
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'holder-install-measure',
      private: true,
      dependencies: { '@attesto/holder': tarballs['@attesto/holder'] },
      overrides: { ...rootOverrides, ...tarballs },
    }),
  )
  execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts'], {
    cwd: app,
    stdio: 'inherit',
  })
  const modules = join(app, 'node_modules')
  const packages = execFileSync('npm', ['ls', '--all', '--omit=dev', '--parseable'], { cwd: app, encoding: 'utf8' })
    .trim()
    .split('\n')
    .slice(1)
  console.log(
    `holder install: ${(directorySize(modules) / 1e6).toFixed(1)} MB in node_modules, ${packages.length} packages`,
  )
  for (const name of SERVER_PACKAGES) {
    let why = ''
    try {
      why = execFileSync('npm', ['explain', name, '--omit=dev'], { cwd: app, encoding: 'utf8', stdio: 'pipe' })
    } catch {
      continue
    }
    const path = join(modules, name)
    const size = statSync(path, { throwIfNoEntry: false }) ? (directorySize(path) / 1e6).toFixed(1) : '?'
    const via = why
      .split('\n')
      .filter((line) => line.includes(' from '))
      .slice(0, 3)
      .map((line) => line.trim())
    console.log(`  ${name} (${size} MB) ${via.join(' | ')}`)
  }
} finally {
  if (!process.env.KEEP) rmSync(work, { recursive: true, force: true })
}
