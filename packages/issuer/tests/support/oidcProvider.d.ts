// oidc-provider ships no types; the tests use its constructor, listen() and nothing else.
declare module 'oidc-provider' {
  import type { Server } from 'node:http'
  export default class Provider {
    public constructor(issuer: string, configuration: Record<string, unknown>)

    public listen(port: number, host: string, listening: () => void): Server
  }
}
