import type { TenantRequestLocals } from '@attesto/agent-runtime'
import { Router } from 'express'
import { z } from 'zod'
import { dcqlInput } from '../verification/dcqlInput.js'
import { presentationTemplates } from '../verification/verifierDocuments.js'

export const templateInput = z.strictObject({ label: z.string().max(200).optional(), dcql: dcqlInput })
export const templateId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64')

/** Stored DCQL queries ("presentation templates"), so that requests can name one instead of repeating it. */
export function templateRoutes(): Router {
  const router = Router()

  router.put('/presentation-templates/:templateId', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    const id = templateId.parse(request.params.templateId)
    const { label, dcql } = templateInput.parse(request.body)
    const template = { templateId: id, ...(label ? { label } : {}), dcql }
    await presentationTemplates.put(tenantContext, id, template)
    response.json(template)
  })

  router.get('/presentation-templates/:templateId', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    response.json(await presentationTemplates.get(tenantContext, request.params.templateId as string))
  })

  router.delete('/presentation-templates/:templateId', async (request, response) => {
    const { tenantContext } = response.locals as TenantRequestLocals
    await presentationTemplates.remove(tenantContext, request.params.templateId as string)
    response.status(204).end()
  })

  return router
}
