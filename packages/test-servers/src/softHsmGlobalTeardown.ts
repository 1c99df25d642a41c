import { rmSync } from 'node:fs'

/** jest's global teardown: removes the run's SoftHSM2 token directory. */
export default function tearDown(): void {
  const dir = process.env.ATTESTO_SOFTHSM_TEST_DIR
  if (dir) rmSync(dir, { recursive: true, force: true })
}
