// Globals that Credo and its libraries expect from node, for the browser bundle.
import { Buffer } from 'buffer'

globalThis.Buffer ??= Buffer
globalThis.process ??= {
  env: {},
  version: '',
  versions: {},
  nextTick: (fn, ...args) => queueMicrotask(() => fn(...args)),
}
globalThis.global ??= globalThis
