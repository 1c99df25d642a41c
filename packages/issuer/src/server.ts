#!/usr/bin/env node
import { runMigration, runService } from '@attesto/agent-runtime'
import { createIssuerApp } from './app.js'
import { ISSUER_SECTIONS } from './compose/issuerConfig.js'

// `attesto-issuer`: the issuer service; `attesto-issuer worker`: the bulk-offer worker;
// `attesto-issuer migrate`: migrate the schema and grant the app role, then exit.
// Configuration: environment variables, see the README.
if (process.argv[2] === 'worker') {
  const { runWorker } = await import('./worker.js')
  await runWorker(process.env)
} else if (process.argv[2] === 'migrate') {
  await runMigration('issuer', process.env)
} else {
  await runService(
    'issuer',
    (config, logger, { batches, protocol, statusLists, authorization }) =>
      createIssuerApp(config, logger, batches, protocol, statusLists, authorization),
    { sections: ISSUER_SECTIONS },
  )
}
