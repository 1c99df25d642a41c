import { z } from 'zod'
import { variable } from './configSection.js'
import { listOf } from './kmsVariables.js'

const positive = (fallback: number) => z.coerce.number().int().positive().default(fallback)

/** The service itself: role, listener, admin keys, tokens, queue prefix, webhooks, idempotency. */
export const SERVICE_VARIABLES = {
  ROLE: variable(z.enum(['issuer', 'verifier']), {
    description: 'set by the command (`attesto-issuer`, `attesto-verifier`), never by an operator',
    defaultText: 'the command',
  }),
  PORT: variable(z.coerce.number().int().min(0).max(65_535).default(3000), {
    description: 'listening port (`npm start`: `ISSUER_PORT` 3000, `VERIFIER_PORT` 3001)',
    defaultText: '3000',
  }),
  PUBLIC_BASE_URL: variable(z.url().optional(), {
    description:
      "the URL wallets reach this instance at (behind a load balancer: the balancer's URL); `npm start`: `ISSUER_PUBLIC_BASE_URL`, `VERIFIER_PUBLIC_BASE_URL`",
    defaultText: '`http://127.0.0.1:<PORT>`',
  }),
  LOG_LEVEL: variable(z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'), {
    description: '`trace`, `debug`, `info`, `warn`, `error`',
  }),
  SHUTDOWN_TIMEOUT_MILLIS: variable(positive(10_000), {
    description: 'how long in-flight requests may take after SIGTERM',
  }),
  ADMIN_API_KEY: variable(z.string().min(24, 'must be at least 24 characters').optional(), {
    description: 'admin credential for `POST /tenants`, `GET /tenants` and `/admin/…`, at least 24 characters',
    defaultText: 'none (no tenant can be created)',
    secret: true,
  }),
  ADMIN_API_KEYS: variable(
    z
      .string()
      .optional()
      .transform((value) => listOf(value))
      .refine((keys) => keys.every((key) => key.length >= 24), 'each key must be at least 24 characters'),
    {
      description:
        'more admin credentials, comma-separated, each at least 24 characters: during a rotation the new key and the one it replaces ([docs/SECURITY.md](docs/SECURITY.md#rotating-the-admin-key))',
      secret: true,
    },
  ),
  API_KEY_CACHE_SECONDS: variable(z.coerce.number().int().min(0).max(300).default(10), {
    description:
      "how long an instance reuses a tenant's record to check API keys: a revoked or expired key is refused on every instance within this time (0 to 300)",
  }),
  ACCESS_TOKEN_TTL_SECONDS: variable(positive(180), {
    description: 'lifetime of OID4VCI access tokens (deferred offers also get refresh tokens)',
    roles: ['issuer'],
  }),
  QUEUE_PREFIX: variable(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ and -, at most 32')
      .default('attesto'),
    {
      description:
        "key prefix of the queues in Redis; on a cluster the queues' keys start with `{<QUEUE_PREFIX>}` ([docs/QUEUES.md](docs/QUEUES.md))",
    },
  ),
  IDEMPOTENCY_TAKEOVER_SECONDS: variable(positive(60), {
    description:
      'a keyed create call still pending after this long is taken to have died; a retry takes it over ([docs/REST-API.md](docs/REST-API.md#idempotency))',
  }),
}

/** Webhook deliveries (docs/WEBHOOKS.md). */
export const WEBHOOK_VARIABLES = {
  WEBHOOK_ATTEMPTS: variable(positive(8), { description: 'tries of a webhook delivery before the dead-letter list' }),
  WEBHOOK_BACKOFF_MILLIS: variable(positive(2_000), {
    description: 'first retry delay of a webhook delivery; doubles each retry, 50 % jitter',
  }),
  WEBHOOK_TIMEOUT_MILLIS: variable(positive(10_000), {
    description: 'per webhook delivery attempt, the whole exchange ([docs/WEBHOOKS.md](docs/WEBHOOKS.md))',
  }),
  WEBHOOK_CONCURRENCY: variable(positive(8), { description: 'webhook deliveries per process at once' }),
  WEBHOOK_CONCURRENCY_PER_TENANT: variable(positive(2), {
    description: 'webhook deliveries of one tenant per process at once',
  }),
  WEBHOOK_MAX_PER_TENANT: variable(positive(10), { description: 'webhooks one tenant may register' }),
  WEBHOOK_ALLOW_INSECURE: variable(z.enum(['true', 'false']).default('false'), {
    description:
      'allow `http://` and loopback webhook endpoints (never in production); the issuer also allows such OpenID providers and claims endpoints',
  }),
}
