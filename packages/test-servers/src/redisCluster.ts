import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { freePort } from './redisServer.js'

function installed(binary: string): boolean {
  try {
    execFileSync(binary, ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Whether `redis-server` and `redis-cli` are here (under CI=true a cluster test runs anyway, and fails without them). */
export const redisClusterToolsInstalled = installed('redis-server') && installed('redis-cli')

/** `describe`, or `describe.skip` when the Redis binaries are missing outside CI. */
export function describeWithRedisCluster(name: string, tests: () => void): void {
  ;(redisClusterToolsInstalled || process.env.CI === 'true' ? describe : describe.skip)(name, tests)
}

interface ClusterNode {
  port: number
  process: ChildProcess
}

/**
 * A Redis Cluster of the test's own: three primaries with one replica each, on free ports of
 * 127.0.0.1, data in a temporary directory, nothing persisted. `cluster-node-timeout` is short
 * (1 s by default), so a killed primary's replica takes over within a few seconds. The shared
 * Redis on 6379 is never touched. `stop()` kills every node and removes the directory.
 */
export class OwnRedisCluster {
  private readonly nodes: ClusterNode[] = []
  private dir = ''

  public constructor(private readonly nodeTimeoutMillis = 1_000) {}

  /** The seed nodes (the three first started; any one of them is enough), as did-cache's `RedisClusterTarget`. */
  public get target(): { nodes: { host: string; port: number }[] } {
    return { nodes: this.nodes.slice(0, 3).map((node) => ({ host: '127.0.0.1', port: node.port })) }
  }

  /** The seeds as `REDIS_CLUSTER_NODES` takes them. */
  public get seedList(): string {
    return this.target.nodes.map((node) => `${node.host}:${node.port}`).join(',')
  }

  public async start(): Promise<this> {
    this.dir = mkdtempSync(join(tmpdir(), 'attesto-redis-cluster-'))
    for (let index = 0; index < 6; index++) {
      const port = await freePort()
      // biome-ignore format: one option and its value a line
      const child = spawn('redis-server', [
        '--port', String(port), '--bind', '127.0.0.1', '--dir', this.dir,
        '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`,
        '--cluster-node-timeout', String(this.nodeTimeoutMillis),
        '--save', '', '--appendonly', 'no',
      ], { stdio: 'ignore' })
      this.nodes.push({ port, process: child })
    }
    await Promise.all(this.nodes.map((node) => this.waitForPing(node.port)))
    const addresses = this.nodes.map((node) => `127.0.0.1:${node.port}`)
    execFileSync('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'], {
      stdio: 'ignore',
      timeout: 30_000,
    })
    await this.waitUntilHealthy()
    await this.waitForReplicas()
    return this
  }

  /** Resolves when every primary has a replica that has finished its first sync (failover is possible). */
  public async waitForReplicas(timeoutMillis = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMillis
    for (;;) {
      const slots = (await this.withLiveNode((redis) => redis.call('CLUSTER', 'SLOTS'))) as [
        number,
        number,
        ...[string, number][],
      ][]
      const replicas = slots.flatMap((range) => range.slice(3) as [string, number][]).map((node) => node[1])
      const linked = await Promise.all(replicas.map((port) => this.replicaLinkUp(port)))
      if (slots.every((range) => range.length > 3) && linked.every(Boolean)) return
      if (Date.now() > deadline) throw new Error('the Redis Cluster replicas did not come up')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  /** Port of the primary that holds `key`'s slot now. */
  public async primaryPortOf(key: string): Promise<number> {
    return this.withLiveNode(async (redis) => {
      const slot = (await redis.call('CLUSTER', 'KEYSLOT', key)) as number
      const slots = (await redis.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][]
      const range = slots.find(([from, to]) => slot >= from && slot <= to)
      if (!range) throw new Error(`no node serves slot ${slot}`)
      return range[2][1]
    })
  }

  /** Ports of the primaries now. */
  public async primaryPorts(): Promise<number[]> {
    return this.withLiveNode(async (redis) => {
      const slots = (await redis.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][]
      return [...new Set(slots.map((range) => range[2][1]))]
    })
  }

  /** Ports of the nodes that hold a pub/sub subscriber connection now. */
  public async subscriberPorts(): Promise<number[]> {
    const ports: number[] = []
    for (const node of this.liveNodes()) {
      const redis = new Redis(node.port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null })
      redis.on('error', () => {})
      const clients = (await redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub').catch(() => '')) as string
      redis.disconnect()
      if (clients.trim()) ports.push(node.port)
    }
    return ports
  }

  /** SIGKILLs the node on `port` (it does not come back). */
  public async kill(port: number): Promise<void> {
    const node = this.nodes.find((candidate) => candidate.port === port)
    const child = node?.process
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    await new Promise((resolve) => {
      child.once('exit', resolve)
      child.kill('SIGKILL')
    })
  }

  /** Resolves when every slot is served again (`cluster_state:ok` on every live node). */
  public async waitUntilHealthy(timeoutMillis = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMillis
    for (;;) {
      const states = await Promise.all(this.liveNodes().map((node) => this.clusterState(node.port)))
      if (states.every((state) => state === 'ok')) return
      if (Date.now() > deadline) throw new Error(`the Redis Cluster is not healthy: ${states.join(', ')}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  public async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.kill(node.port)))
    if (this.dir) rmSync(this.dir, { recursive: true, force: true })
  }

  private liveNodes(): ClusterNode[] {
    return this.nodes.filter((node) => node.process.exitCode === null && node.process.signalCode === null)
  }

  private async replicaLinkUp(port: number): Promise<boolean> {
    const redis = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null })
    redis.on('error', () => {})
    try {
      return /master_link_status:up/.test(await redis.info('replication'))
    } catch {
      return false
    } finally {
      redis.disconnect()
    }
  }

  private async clusterState(port: number): Promise<string> {
    const redis = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null })
    redis.on('error', () => {})
    try {
      const info = (await redis.call('CLUSTER', 'INFO')) as string
      return /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown'
    } catch {
      return 'unreachable'
    } finally {
      redis.disconnect()
    }
  }

  private async withLiveNode<T>(use: (redis: Redis) => Promise<T>): Promise<T> {
    const [node] = this.liveNodes()
    if (!node) throw new Error('no Redis Cluster node is running')
    const redis = new Redis(node.port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null })
    try {
      return await use(redis)
    } finally {
      redis.disconnect()
    }
  }

  private async waitForPing(port: number): Promise<void> {
    const deadline = Date.now() + 10_000
    for (;;) {
      const probe = new Redis(port, '127.0.0.1', {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      })
      probe.on('error', () => {})
      try {
        await probe.connect()
        await probe.ping()
        return
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      } finally {
        probe.disconnect()
      }
    }
  }
}
