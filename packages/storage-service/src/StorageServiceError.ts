import { CredoError } from '@credo-ts/core'

/** The root of every error the storage service raises itself (Credo's record errors aside). */
export class StorageServiceError extends CredoError {}

/**
 * The database could not be reached, went away mid-statement, or did not answer within the
 * statement timeout. Nothing was written: every write is one statement or one transaction.
 */
export class StorageUnavailableError extends StorageServiceError {}

/** A query that Credo's query language does not allow (for example an unknown `$` operator). */
export class StorageQueryError extends StorageServiceError {}
