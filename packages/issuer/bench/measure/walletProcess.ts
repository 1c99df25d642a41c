import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { WalletRun } from '../batchWallet.js'

/** Runs the benchmark wallet (batchWallet.ts) once in a process of its own; answers what it issued and how long it took. */
export function runWallet(run: WalletRun): Promise<{ credentials: number; millis: number }> {
  const child = fork(fileURLToPath(new URL('../batchWallet.js', import.meta.url)), { stdio: 'inherit' })
  return new Promise((resolve, reject) => {
    child.once('message', (result) => resolve(result as { credentials: number; millis: number }))
    child.once('exit', (code) => reject(new Error(`the wallet process ended (${code}) before answering`)))
    child.send(run)
  })
}
