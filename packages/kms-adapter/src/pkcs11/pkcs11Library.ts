import { Kms } from '@credo-ts/core'
import { loadPkcs11Addon, type Pkcs11Addon, type Pkcs11Api } from './pkcs11Api.js'
import { pkcs11ErrorName } from './pkcs11Errors.js'

/** A PKCS#11 module loaded and initialised once per process, whatever number of backends use it. */
export interface Pkcs11Library {
  api: Pkcs11Api
  addon: Pkcs11Addon
  /** Gives the library back; the last user finalises and unloads it. */
  release(): void
}

interface Loaded {
  api: Pkcs11Api
  addon: Pkcs11Addon
  users: number
  /** Whether this process's C_Initialize succeeded here (so C_Finalize is ours to call). */
  owned: boolean
}

const loaded = new Map<string, Promise<Loaded>>()

async function load(path: string): Promise<Loaded> {
  const addon = await loadPkcs11Addon()
  const api = new addon.PKCS11()
  try {
    api.load(path)
  } catch (error) {
    throw new Kms.KeyManagementError(`Cannot load the PKCS#11 module ${path}`, { cause: error as Error })
  }
  let owned = true
  try {
    // The library may use its own threads and OS locks: calls run on libuv's pool.
    api.C_Initialize({ flags: 0x2 /* CKF_OS_LOCKING_OK */ })
  } catch (error) {
    if (pkcs11ErrorName(error) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
      api.close()
      throw new Kms.KeyManagementError(`Cannot initialise the PKCS#11 module ${path}`, { cause: error as Error })
    }
    owned = false
  }
  return { api, addon, users: 0, owned }
}

/**
 * The PKCS#11 module at `path`, loaded once per process: a module can be initialised only once,
 * and every backend on it shares that (sessions and login are per backend and token).
 */
export async function openPkcs11Library(path: string): Promise<Pkcs11Library> {
  let pending = loaded.get(path)
  if (!pending) {
    pending = load(path)
    loaded.set(path, pending)
    pending.catch(() => loaded.delete(path))
  }
  const library = await pending
  library.users += 1
  let released = false
  return {
    api: library.api,
    addon: library.addon,
    release() {
      if (released) return
      released = true
      library.users -= 1
      if (library.users > 0) return
      loaded.delete(path)
      try {
        if (library.owned) library.api.C_Finalize()
      } finally {
        library.api.close()
      }
    },
  }
}
