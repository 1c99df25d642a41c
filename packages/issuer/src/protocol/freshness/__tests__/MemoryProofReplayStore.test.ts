import { MemoryProofReplayStore } from '../MemoryProofReplayStore.js'
import { ReplayStoreUnavailableError } from '../ProofReplayStore.js'

describe('MemoryProofReplayStore', () => {
  it('answers true once per key while it lives, and again once it has expired', async () => {
    const store = new MemoryProofReplayStore()
    expect(await store.firstUse('a', 60)).toBe(true)
    expect(await store.firstUse('a', 60)).toBe(false)
    expect(await store.firstUse('b', 60)).toBe(true)
    expect(await store.firstUse('gone', 0)).toBe(true) // expires at once
    expect(await store.firstUse('gone', 60)).toBe(true)
  })

  it('refuses a new proof rather than forget a live one when full, and makes room as entries expire', async () => {
    const store = new MemoryProofReplayStore(2)
    expect(await store.firstUse('old', 0)).toBe(true)
    expect(await store.firstUse('a', 60)).toBe(true)
    expect(await store.firstUse('b', 60)).toBe(true) // 'old' expired and was swept
    await expect(store.firstUse('c', 60)).rejects.toBeInstanceOf(ReplayStoreUnavailableError)
    expect(await store.firstUse('a', 60)).toBe(false) // still remembered
  })
})
