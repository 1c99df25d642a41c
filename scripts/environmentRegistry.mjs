// The registry of every environment variable the services read, as declared in their
// configuration sections (packages/*/src/**/…Config.ts, assembled per service): the README's
// variable table (scripts/environmentTable.mjs) and the deployment check
// (deploy/test/checkManifests.mjs) come from it. Reads the compiled output: `npm run build` first.
import { environmentRows, RUNTIME_SECTION } from '../packages/agent-runtime/dist/src/index.js'
import { ISSUER_SECTIONS } from '../packages/issuer/dist/src/compose/issuerConfig.js'
import { VERIFIER_SECTIONS } from '../packages/verifier/dist/src/verifierConfig.js'

/** Each service's configuration sections, as its `server.ts` reads them. */
export const SERVICE_SECTIONS = {
  issuer: { runtime: RUNTIME_SECTION, ...ISSUER_SECTIONS },
  verifier: { runtime: RUNTIME_SECTION, ...VERIFIER_SECTIONS },
}

/** Every declared variable once: name, services, default, meaning, secret, `<NAME>_FILE`. */
export const ENVIRONMENT_ROWS = environmentRows(SERVICE_SECTIONS)
