import { createRedisClient, type RedisClient, type RedisTarget } from '@attesto/did-cache'
import { queuePrefix } from './queues.js'

/**
 * The Redis connection policy of every queue in a process: two connections, shared by all the
 * process's queues and workers, made on first use.
 *
 * - `producer`: for API calls that queue or read jobs. It fails fast while Redis is away (no
 *   offline queue, one retry per command, 2 s to connect), so a request answers 503
 *   `queue_unavailable` at once instead of hanging.
 * - `worker`: for workers. BullMQ's blocking reads need commands to wait for Redis rather than
 *   fail (`maxRetriesPerRequest: null`), so a worker resumes by itself when Redis returns. Each
 *   BullMQ worker adds its own blocking connection (a duplicate of this one).
 *
 * Errors of the connections themselves are swallowed here: each queue and worker reports the
 * errors it sees (`attesto_queue_redis_errors_total`, sampled warn lines).
 */
export class QueueConnections {
  /** The BullMQ prefix of every queue (hash-tagged on a Redis Cluster). */
  public readonly prefix: string
  private producerClient?: RedisClient
  private workerClient?: RedisClient

  /**
   * @param configuredPrefix the runtime's `QUEUE_PREFIX`, as configured (other keys of the queues'
   * users, such as rate counters, go under it).
   */
  public constructor(
    public readonly redis: RedisTarget,
    public readonly configuredPrefix: string,
  ) {
    this.prefix = queuePrefix(redis, configuredPrefix)
  }

  public get producer(): RedisClient {
    this.producerClient ??= quiet(
      createRedisClient(this.redis, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 }),
    )
    return this.producerClient
  }

  public get worker(): RedisClient {
    this.workerClient ??= quiet(createRedisClient(this.redis, { maxRetriesPerRequest: null }))
    return this.workerClient
  }

  /** Disconnects both (after the queues and workers using them are closed). */
  public close(): void {
    this.producerClient?.disconnect()
    this.workerClient?.disconnect()
    this.producerClient = undefined
    this.workerClient = undefined
  }
}

function quiet(client: RedisClient): RedisClient {
  client.setMaxListeners(0) // one 'error' listener per queue and worker sharing it
  client.on('error', () => {})
  return client
}
