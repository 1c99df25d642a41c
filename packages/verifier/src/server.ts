#!/usr/bin/env node
import { runService } from '@attesto/agent-runtime'
import { createVerifierApp } from './app.js'

// The verifier service. Configuration: environment variables, see the README.
await runService('verifier', createVerifierApp)
