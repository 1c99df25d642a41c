import { z } from 'zod'
import { type ConfigProblem, type EnvironmentValues, variable } from './configSection.js'

const optionalUrl = z.url().optional()
/** A comma- or newline-separated list, blanks dropped. */
export const listOf = (value: string | undefined) => (value ?? '').split(/[\s,]+/).filter(Boolean)

/**
 * The role's KMS backend (`@attesto/kms-adapter`): local, Vault transit, AWS KMS or a PKCS#11
 * token. The backends take these as constructor options; the runtime reads them.
 */
export const KMS_VARIABLES = {
  KMS_BACKEND: variable(z.enum(['local', 'vault', 'aws', 'pkcs11']).default('local'), {
    description: '`local`, `vault`, `aws` or `pkcs11`',
  }),
  KMS_MASTER_KEY: variable(z.string().optional(), {
    description: 'local KMS master key, base64 of 32 bytes',
    secret: true,
    fromFile: false,
  }),
  KMS_MASTER_KEY_FILE: variable(z.string().optional(), {
    description: 'local KMS master key file, generated if missing',
    defaultText: '`<PGLITE_DATA_DIR>/<role>-master.key`',
  }),
  LOCAL_KMS_PREVIOUS_MASTER_KEYS: variable(
    z
      .string()
      .optional()
      .transform((value) => listOf(value))
      .refine(
        (keys) => keys.every((key) => Buffer.from(key, 'base64').length === 32),
        'each key must be 32 bytes in base64',
      ),
    {
      description:
        'earlier local KMS master keys (base64 of 32 bytes, comma- or newline-separated), still read during a master-key rotation ([docs/KMS.md](docs/KMS.md#rotating-the-local-master-key-of-a-service))',
      secret: true,
    },
  ),
  VAULT_ADDR: variable(optionalUrl, { description: 'Vault transit backend: the Vault URL (required with `vault`)' }),
  VAULT_TOKEN: variable(z.string().optional(), {
    description: 'Vault token (or `VAULT_ROLE_ID` and `VAULT_SECRET_ID` for AppRole)',
    secret: true,
  }),
  VAULT_ROLE_ID: variable(z.string().optional(), { description: 'Vault AppRole role id' }),
  VAULT_SECRET_ID: variable(z.string().optional(), { description: 'Vault AppRole secret id', secret: true }),
  VAULT_NAMESPACE: variable(z.string().optional(), { description: 'Vault Enterprise namespace' }),
  VAULT_TRANSIT_MOUNT: variable(z.string().default('transit'), { description: 'mount path of the transit engine' }),
  AWS_REGION: variable(z.string().optional(), {
    description: "AWS KMS backend: the region (required with `aws`; credentials from the SDK's default chain)",
  }),
  AWS_KMS_ENDPOINT: variable(optionalUrl, {
    description: 'AWS KMS endpoint',
    defaultText: 'the regional endpoint',
  }),
  PKCS11_MODULE: variable(z.string().optional(), {
    description:
      "PKCS#11 backend: path of the token vendor's module (SoftHSM2: `/usr/lib/softhsm/libsofthsm2.so`; its configuration file comes from `SOFTHSM2_CONF`, read by the module) ([docs/KMS.md](docs/KMS.md#pkcs11-tokens-and-hsms))",
    defaultText: 'none (required with `pkcs11`)',
  }),
  PKCS11_TOKEN_LABEL: variable(z.string().optional(), {
    description: "the label of the token (HSM partition) holding the role's keys",
    defaultText: 'none (required with `pkcs11`)',
  }),
  PKCS11_PIN: variable(z.string().optional(), {
    description: "the token's user PIN",
    defaultText: 'none (required with `pkcs11`)',
    secret: true,
  }),
  PKCS11_MAX_SESSIONS: variable(z.coerce.number().int().positive().max(1024).default(8), {
    description:
      "PKCS#11 sessions per instance (calls in flight to the token; libuv's pool, `UV_THREADPOOL_SIZE`, 4 by default, runs them)",
  }),
}

/** The KMS backend and its options. */
export type KmsConfig =
  | { backend: 'local'; masterKey?: string; masterKeyFile: string; previousMasterKeys: string[] }
  | {
      backend: 'vault'
      endpoint: string
      auth: { token: string } | { roleId: string; secretId: string }
      namespace?: string
      mount: string
    }
  | { backend: 'aws'; region: string; endpoint?: string }
  | { backend: 'pkcs11'; module: string; tokenLabel: string; pin: string; maxSessions: number }

type KmsValues = EnvironmentValues<typeof KMS_VARIABLES> & { PGLITE_DATA_DIR: string; ROLE: string }

/** The backends' required variables (only checked when every variable parsed). */
export function kmsConfigProblems(e: EnvironmentValues<typeof KMS_VARIABLES>): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  const need = (variable: string, why: string) => problems.push({ variable, message: `required ${why}` })
  if (e.KMS_BACKEND === 'vault') {
    if (!e.VAULT_ADDR) need('VAULT_ADDR', 'when KMS_BACKEND=vault')
    if (!e.VAULT_TOKEN && !(e.VAULT_ROLE_ID && e.VAULT_SECRET_ID)) {
      need('VAULT_TOKEN', 'when KMS_BACKEND=vault (or VAULT_ROLE_ID and VAULT_SECRET_ID for AppRole)')
    }
  }
  if (e.KMS_BACKEND === 'aws' && !e.AWS_REGION) need('AWS_REGION', 'when KMS_BACKEND=aws')
  if (e.KMS_BACKEND === 'pkcs11') {
    if (!e.PKCS11_MODULE) need('PKCS11_MODULE', "when KMS_BACKEND=pkcs11 (the path of the token vendor's module)")
    if (!e.PKCS11_TOKEN_LABEL) need('PKCS11_TOKEN_LABEL', 'when KMS_BACKEND=pkcs11')
    if (!e.PKCS11_PIN) need('PKCS11_PIN', 'when KMS_BACKEND=pkcs11 (or PKCS11_PIN_FILE)')
  }
  return problems
}

export function kmsConfigFrom(e: KmsValues): KmsConfig {
  if (e.KMS_BACKEND === 'vault') {
    return {
      backend: 'vault',
      endpoint: e.VAULT_ADDR as string,
      auth: e.VAULT_TOKEN
        ? { token: e.VAULT_TOKEN }
        : { roleId: e.VAULT_ROLE_ID as string, secretId: e.VAULT_SECRET_ID as string },
      namespace: e.VAULT_NAMESPACE,
      mount: e.VAULT_TRANSIT_MOUNT,
    }
  }
  if (e.KMS_BACKEND === 'aws') return { backend: 'aws', region: e.AWS_REGION as string, endpoint: e.AWS_KMS_ENDPOINT }
  if (e.KMS_BACKEND === 'pkcs11') {
    return {
      backend: 'pkcs11',
      module: e.PKCS11_MODULE as string,
      tokenLabel: e.PKCS11_TOKEN_LABEL as string,
      pin: e.PKCS11_PIN as string,
      maxSessions: e.PKCS11_MAX_SESSIONS,
    }
  }
  return {
    backend: 'local',
    masterKey: e.KMS_MASTER_KEY,
    masterKeyFile: e.KMS_MASTER_KEY_FILE ?? `${e.PGLITE_DATA_DIR}/${e.ROLE}-master.key`,
    previousMasterKeys: e.LOCAL_KMS_PREVIOUS_MASTER_KEYS,
  }
}
