import helmet from 'helmet'

/**
 * Helmet's default headers on every answer (docs/SECURITY.md): Content-Security-Policy
 * (`default-src 'self'`, no framing, no plugins), HSTS, `X-Content-Type-Options: nosniff`,
 * `X-Frame-Options: SAMEORIGIN`, `Referrer-Policy: no-referrer`, the cross-origin isolation
 * headers, and no `X-Powered-By`. None of them changes a body or its content type
 * (`application/oauth-authz-req+jwt`, `application/statuslist+jwt` stay as they are); protocol
 * paths answer `Cross-Origin-Resource-Policy: cross-origin` instead of `same-origin` (cors.ts).
 */
export const securityHeaders = helmet()
