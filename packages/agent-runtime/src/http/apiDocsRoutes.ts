import { createRequire } from 'node:module'
import { Router } from 'express'

/** Redoc's self-contained browser bundle, shipped in the `redoc` package: nothing is loaded from elsewhere. */
const redocBundle = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js')

/** The page: Redoc renders /openapi.json; no inline script, so the policy below can forbid inline scripts. */
const page = (title: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title.replace(/[<>&"]/g, '')}</title>
<style>body { margin: 0; }</style>
</head>
<body>
<redoc spec-url="/openapi.json"></redoc>
<script src="/docs/redoc.standalone.js"></script>
</body>
</html>
`

/**
 * Everything the page may load comes from this service: a closed network needs no CDN, and a
 * browser makes no request elsewhere (Redoc's footer logo is a remote image: `img-src` refuses it).
 * Redoc's styles are inline (styled-components) and its search runs in a blob: worker.
 */
const DOCS_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/**
 * `GET /openapi.json` (the document, serialised once) and `GET /docs`, a human-readable reference
 * of it (Redoc, served from this service). Neither needs a key.
 */
export function apiDocsRoutes(document: object & { info?: { title?: string } }): Router {
  const router = Router()
  const json = JSON.stringify(document)
  const html = page(document.info?.title ?? 'API reference')
  router.get('/openapi.json', (_request, response) => {
    response.type('application/json').send(json)
  })
  router.get('/docs', (_request, response) => {
    response.set('Content-Security-Policy', DOCS_POLICY).type('html').send(html)
  })
  router.get('/docs/redoc.standalone.js', (_request, response) => {
    response.sendFile(redocBundle, { maxAge: '1d' })
  })
  return router
}
