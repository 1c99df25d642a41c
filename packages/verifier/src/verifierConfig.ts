import { STATUS_CHECK_SECTION } from './verification/statusCheckConfig.js'

/**
 * The verifier's own configuration sections, read at boot together with the runtime's (one pass
 * over the environment). A new verifier variable is declared in the section of its concern; a new
 * concern adds its section here.
 */
export const VERIFIER_SECTIONS = {
  statusChecks: STATUS_CHECK_SECTION,
}
