#!/usr/bin/env node
import { runMigration, runService } from '@attesto/agent-runtime'
import { createVerifierApp } from './app.js'
import { VERIFIER_SECTIONS } from './verifierConfig.js'

// `attesto-verifier`: the verifier service; `attesto-verifier migrate`: migrate the schema and
// grant the app role, then exit. Configuration: environment variables, see the README.
if (process.argv[2] === 'migrate') {
  await runMigration('verifier', process.env)
} else {
  await runService('verifier', (config, logger, { statusChecks }) => createVerifierApp(config, logger, statusChecks), {
    sections: VERIFIER_SECTIONS,
  })
}
