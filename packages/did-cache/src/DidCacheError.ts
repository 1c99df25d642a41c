import { CredoError } from '@credo-ts/core'

/** The root of every error the DID cache raises itself. */
export class DidCacheError extends CredoError {}
