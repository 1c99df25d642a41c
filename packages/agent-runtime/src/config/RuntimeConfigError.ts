/** Configuration could not be read: the message lists every bad variable and what it needs. */
export class RuntimeConfigError extends Error {}
