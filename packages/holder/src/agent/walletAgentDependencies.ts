import { type AgentDependencies, CredoError, type FileSystem } from '@credo-ts/core'
import { EventEmitter } from 'events'

/**
 * Credo's file system for the wallet: the wallet keeps everything in its (encrypted) storage and
 * writes no file of its own, so every write is refused rather than left in the clear on disk.
 */
class WalletFileSystem implements FileSystem {
  public readonly dataPath = '/attesto-wallet/data'
  public readonly cachePath = '/attesto-wallet/cache'
  public readonly tempPath = '/attesto-wallet/tmp'
  public async exists(): Promise<boolean> {
    return false
  }
  public createDirectory(path: string): Promise<void> {
    return this.refuse(path)
  }
  public copyFile(_: string, destinationPath: string): Promise<void> {
    return this.refuse(destinationPath)
  }
  public write(path: string): Promise<void> {
    return this.refuse(path)
  }
  public read(path: string): Promise<string> {
    return this.refuse(path)
  }
  public async delete(): Promise<void> {}
  public downloadToFile(_: string, path: string): Promise<void> {
    return this.refuse(path)
  }
  private async refuse(path: string): Promise<never> {
    throw new CredoError(`The wallet keeps no files: ${path}`)
  }
}

/** DIDComm's transports are not part of the wallet; nothing opens a WebSocket. */
class NoWebSocket {
  public constructor() {
    throw new CredoError('The wallet does not open WebSocket connections')
  }
}

/**
 * What Credo needs from the platform, the same in node and browsers (`events` is node's own module
 * there, the npm package in a bundle): `@credo-ts/node` would add an HTTP
 * server, a WebSocket library and native FFI bindings that a wallet has no use for.
 */
export function walletAgentDependencies(fetcher: typeof fetch): AgentDependencies {
  return {
    FileSystem: WalletFileSystem,
    EventEmitterClass: EventEmitter,
    fetch: fetcher,
    WebSocketClass: NoWebSocket as unknown as AgentDependencies['WebSocketClass'],
  }
}
