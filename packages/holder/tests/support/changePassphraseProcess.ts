// Run as a process by walletStorage.test.ts: opens a wallet and changes its passphrase, so that
// the test can kill the process in the middle of the change. It changes once told on stdin.
import { HolderWallet } from '../../src/HolderWallet.js'

const [databaseUrl, databaseSchema, walletId, oldPassphrase, newPassphrase] = process.argv.slice(2) as string[]
const wallet = await HolderWallet.open({ databaseUrl, databaseSchema, walletId, passphrase: oldPassphrase as string })
process.stdout.write('opened\n')
// The test takes its lock, then says go.
await new Promise((resolve) => process.stdin.once('data', resolve))
await wallet.changePassphrase(oldPassphrase as string, newPassphrase as string)
process.stdout.write('changed\n')
await wallet.close()
