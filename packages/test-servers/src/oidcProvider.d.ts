// oidc-provider ships no types; openIdProviderServer.ts constructs one and listens, nothing else.
declare module 'oidc-provider' {
  type Listening = { listen(port: number, host: string, listening: () => void): import('node:http').Server }
  const Provider: new (issuer: string, configuration: Record<string, unknown>) => Listening
  export default Provider
}
