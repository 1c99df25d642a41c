import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'

/** The real Redis the tests use (127.0.0.1:6379 in development and CI). */
export const REDIS_URL = process.env.ATTESTO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A port of 127.0.0.1 free a moment ago (the test servers of every package take theirs here). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/**
 * A redis-server of the test's own, on its own port, so the test can stop and restart it to
 * simulate an outage without touching the shared Redis.
 */
export class OwnRedisServer {
  private process?: ChildProcess
  public port = 0

  public get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  public async start(): Promise<this> {
    if (!this.port) this.port = await freePort()
    this.process = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    )
    const deadline = Date.now() + 10_000
    for (;;) {
      const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
      try {
        await probe.connect()
        await probe.ping()
        probe.disconnect()
        return this
      } catch {
        probe.disconnect()
        if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
  }

  public async stop(): Promise<void> {
    const child = this.process
    if (!child || child.exitCode !== null) return
    await new Promise((resolve) => {
      child.once('exit', resolve)
      child.kill('SIGKILL')
    })
  }
}

/** Deletes every key under a prefix (tests use a fresh prefix each). */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url)
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
      cursor = next
      if (keys.length) await redis.del(...keys)
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
}
