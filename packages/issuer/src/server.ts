#!/usr/bin/env node
import { runService } from '@attesto/agent-runtime'
import { createIssuerApp } from './app.js'

// `attesto-issuer`: the issuer service; `attesto-issuer worker`: the bulk-offer worker.
// Configuration: environment variables, see the README.
if (process.argv[2] === 'worker') {
  const { runWorker } = await import('./worker.js')
  await runWorker()
} else {
  await runService('issuer', createIssuerApp)
}
