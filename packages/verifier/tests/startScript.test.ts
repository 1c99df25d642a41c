import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '@attesto/testing'

// `npm start`'s script (scripts/start.mjs, after the build) on embedded defaults in a fresh data
// directory: both services listen on 127.0.0.1 only (no HOST given), and once they are ready it
// prints where they are, where the admin key is and what to run next.

const root = fileURLToPath(new URL('../../../../', import.meta.url))

describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'attesto-start-'))
  let child: ChildProcess
  let output = ''

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('listens on 127.0.0.1 by default and prints the URLs, the admin key file and the next command', async () => {
    const [issuerPort, verifierPort] = [await freePort(), await freePort()]
    const env: Record<string, string | undefined> = {
      ...process.env,
      ISSUER_PORT: String(issuerPort),
      VERIFIER_PORT: String(verifierPort),
      PGLITE_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    }
    delete env.HOST
    delete env.ADMIN_API_KEY
    child = spawn(process.execPath, [`${root}scripts/start.mjs`], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout?.on('data', (chunk) => (output += chunk))
    child.stderr?.on('data', (chunk) => (output += chunk))
    const deadline = Date.now() + 240_000
    while (!output.includes('npm run demo')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not get ready:\n${output}`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }

    const issuer = `http://127.0.0.1:${issuerPort}`
    const verifier = `http://127.0.0.1:${verifierPort}`
    expect(output).toContain('listening on 127.0.0.1')
    expect(output).toMatch(new RegExp(`issuer\\s+${issuer}\\n\\s+OpenAPI ${issuer}/openapi.json`))
    expect(output).toMatch(new RegExp(`verifier\\s+${verifier}\\n\\s+OpenAPI ${verifier}/openapi.json`))
    expect(output).toContain(`Admin API key: in ${dataDir}/admin-api-key`)
    expect(readFileSync(`${dataDir}/admin-api-key`, 'utf8').trim().length).toBeGreaterThanOrEqual(24)
    expect(output).toContain('npm run demo')
    expect((await fetch(`${issuer}/openapi.json`)).status).toBe(200)

    // Nothing listens on this machine's other addresses.
    const external = Object.values(networkInterfaces())
      .flat()
      .find((entry) => entry && !entry.internal && entry.family === 'IPv4')
    if (external) {
      for (const port of [issuerPort, verifierPort]) {
        const reached = await fetch(`http://${external.address}:${port}/health`).then(
          () => true,
          () => false,
        )
        expect(reached).toBe(false)
      }
    }
  }, 300_000)
})
