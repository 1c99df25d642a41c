import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createDegreeRequest, createDiplomaOffer, startIssuer, startVerifier, VCT } from '@attesto/testing'

// The example of packages/holder/README.md is examples/wallet.mjs, run here as written (its own
// process, the built package) against an issuer and a verifier on 127.0.0.1.

const packageRoot = fileURLToPath(new URL('../../', import.meta.url))
const example = join(packageRoot, 'examples/wallet.mjs')

describe('the README example', () => {
  let issuer: Awaited<ReturnType<typeof startIssuer>>
  let verifier: Awaited<ReturnType<typeof startVerifier>>
  let workDir: string

  beforeAll(async () => {
    issuer = await startIssuer()
    verifier = await startVerifier()
    workDir = await mkdtemp(join(tmpdir(), 'attesto-example-'))
  })
  afterAll(async () => {
    await issuer?.close()
    await verifier?.close()
    await rm(workDir, { recursive: true, force: true })
  })

  it('is the code the README shows', async () => {
    const readme = await readFile(join(packageRoot, 'README.md'), 'utf8')
    expect(readme).toContain((await readFile(example, 'utf8')).trim())
  })

  it('receives a credential and presents it', async () => {
    const { credentialOffer } = await createDiplomaOffer(issuer.runtime.agent.context, {
      given_name: 'Ada',
      degree: 'MSc Mathematics',
    })
    const { authorizationRequest, verificationSession } = await createDegreeRequest(verifier.runtime.agent.context)
    const { stdout } = await promisify(execFile)(process.execPath, [example, credentialOffer, authorizationRequest], {
      cwd: workDir,
      // Plain text even when the test runner forces colours.
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    })
    expect(stdout).toContain(`offer of ${VCT} from ${issuer.http.url}/oid4vci/`)
    expect(stdout).toContain(`received ${VCT}`)
    expect(stdout).toContain('MSc Mathematics')
    expect(stdout).toContain('request from decentralized_identifier:did:key:')
    expect(stdout).toContain("diploma would disclose [ 'degree=MSc Mathematics' ]")
    expect(stdout).toMatch(/presented \{ diploma: '[^']+' \} accepted/)
    const session = await verifier.runtime.agent.openid4vc.verifier.getVerificationSessionById(verificationSession.id)
    expect(session.state).toBe('ResponseVerified')
  })
})
