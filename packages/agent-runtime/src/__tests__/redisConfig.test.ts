import { RuntimeConfigError } from '../config/RuntimeConfigError.js'
import { describeConfig, loadRuntimeConfig } from '../config/runtimeConfig.js'

describe('Redis configuration', () => {
  it('takes one server by URL, and logs it without its password', () => {
    const config = loadRuntimeConfig({ ROLE: 'issuer', REDIS_URL: 'redis://:s3cret@redis:6379/1' })
    expect(config.redis).toBe('redis://:s3cret@redis:6379/1')
    expect(JSON.stringify(describeConfig(config))).not.toContain('s3cret')
  })

  it('takes a cluster by seed nodes, with credentials and TLS, and never logs the password', () => {
    const config = loadRuntimeConfig({
      ROLE: 'verifier',
      REDIS_CLUSTER_NODES: 'redis-0.redis:6379, redis-1.redis:6380\n[::1]:7000',
      REDIS_CLUSTER_USERNAME: 'attesto',
      REDIS_CLUSTER_PASSWORD: 'cluster-s3cret',
      REDIS_CLUSTER_TLS: 'true',
    })
    expect(config.redis).toEqual({
      nodes: [
        { host: 'redis-0.redis', port: 6379 },
        { host: 'redis-1.redis', port: 6380 },
        { host: '::1', port: 7000 },
      ],
      username: 'attesto',
      password: 'cluster-s3cret',
      tls: true,
    })
    const described = JSON.stringify(describeConfig(config))
    expect(described).toContain('cluster tls redis-0.redis:6379,redis-1.redis:6380,::1:7000')
    expect(described).not.toContain('cluster-s3cret')
  })

  it('refuses both at once, a malformed seed, and cluster credentials without a cluster', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadRuntimeConfig({ ROLE: 'issuer', ...env })
      } catch (error) {
        expect(error).toBeInstanceOf(RuntimeConfigError)
        return (error as Error).message
      }
      throw new Error('accepted')
    }
    expect(problems({ REDIS_URL: 'redis://redis:6379', REDIS_CLUSTER_NODES: 'redis-0:6379' })).toContain(
      'REDIS_CLUSTER_NODES: set REDIS_URL (one server) or REDIS_CLUSTER_NODES, not both',
    )
    expect(problems({ REDIS_CLUSTER_NODES: 'redis-0' })).toContain('"redis-0" is not host:port')
    expect(problems({ REDIS_CLUSTER_NODES: 'redis-0:70000' })).toContain('"redis-0:70000" is not host:port')
    expect(problems({ REDIS_CLUSTER_PASSWORD: 'x' })).toContain('REDIS_CLUSTER_NODES: required when')
  })
})
