import { randomBytes } from 'node:crypto'
import { REDIS_URL } from '@attesto/agent-runtime/testing'
import { ReplayStoreUnavailableError } from '../ProofReplayStore.js'
import { RedisProofReplayStore } from '../RedisProofReplayStore.js'

// Against the real Redis: two stores (two instances) see one set of proofs; a Redis that does not
// answer is an error the endpoints answer 503, never a proof let through.

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

  it('throws ReplayStoreUnavailableError when Redis does not answer', async () => {
    const dead = new RedisProofReplayStore('redis://127.0.0.1:1', prefix)
    try {
      await expect(dead.firstUse('proof', 60)).rejects.toBeInstanceOf(ReplayStoreUnavailableError)
    } finally {
      dead.close()
    }
  })
})
