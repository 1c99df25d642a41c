import { randomBytes } from 'node:crypto'
import { REDIS_URL } from '@attesto/testing'
import { RedisProofReplayStore } from '../RedisProofReplayStore.js'

// Against the real Redis: two stores (two instances) see one set of proofs; while Redis does not
// answer, each store catches replays in its own process and says so once.

describe('RedisProofReplayStore', () => {
  const prefix = `test-replay-${randomBytes(4).toString('hex')}`

  it('answers true once per key over two connections, and the key expires on its own', async () => {
    const a = new RedisProofReplayStore(REDIS_URL, prefix)
    const b = new RedisProofReplayStore(REDIS_URL, prefix)
    try {
      expect(await a.firstUse('proof', 1)).toBe(true)
      expect(await b.firstUse('proof', 1)).toBe(false)
      expect(await b.firstUse('other', 1)).toBe(true)
      await new Promise((resolve) => setTimeout(resolve, 1500))
      expect(await b.firstUse('proof', 1)).toBe(true)
    } finally {
      a.close()
      b.close()
    }
  })

  it('falls back to its own process while Redis does not answer, and reports the outage once', async () => {
    const outages: unknown[] = []
    const dead = new RedisProofReplayStore('redis://127.0.0.1:1', prefix, undefined, (error) => outages.push(error))
    try {
      expect(await dead.firstUse('proof', 60)).toBe(true)
      expect(await dead.firstUse('proof', 60)).toBe(false)
      expect(await dead.firstUse('other', 60)).toBe(true)
      expect(outages).toHaveLength(1)
    } finally {
      dead.close()
    }
  })
})
