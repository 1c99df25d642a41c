#!/usr/bin/env node
import { runService } from '@attesto/agent-runtime'
import { createIssuerApp } from './app.js'

// The issuer service. Configuration: environment variables, see the README.
await runService('issuer', createIssuerApp)
