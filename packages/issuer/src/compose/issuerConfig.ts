import { type Environment, loadServiceConfigOrExit, type ServiceConfig } from '@attesto/agent-runtime'
import { AUTHORIZATION_SECTION } from '../authorization/authorizationConfig.js'
import { BATCH_SECTION } from '../batches/batchConfig.js'
import { PROTOCOL_SECTION } from '../protocol/protocolConfig.js'
import { STATUS_LIST_SECTION } from '../status/statusConfig.js'

/**
 * The issuer's own configuration sections, read at boot together with the runtime's (one pass
 * over the environment, every bad variable named at once). A new issuer variable is declared in
 * the section of its concern; a new concern adds its section here.
 */
export const ISSUER_SECTIONS = {
  batches: BATCH_SECTION,
  protocol: PROTOCOL_SECTION,
  statusLists: STATUS_LIST_SECTION,
  authorization: AUTHORIZATION_SECTION,
}

export type IssuerConfig = ServiceConfig<typeof ISSUER_SECTIONS>

/** The issuer's whole configuration (service, worker); on a bad one, every bad variable on stderr and exit 1. */
export function loadIssuerConfigOrExit(env: Environment): IssuerConfig {
  return loadServiceConfigOrExit('issuer', env, ISSUER_SECTIONS)
}
