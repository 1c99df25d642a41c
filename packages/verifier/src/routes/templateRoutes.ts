import { type BoundRoute, feature, openApi, operation, type TenantRequestLocals } from '@attesto/agent-runtime'
import { z } from 'zod'
import { dcqlInput } from '../verification/dcqlInput.js'
import { presentationTemplates } from '../verification/verifierDocuments.js'
import { templateResponse } from './responses.js'

const { answer, errors } = openApi

export const templateInput = z.strictObject({ label: z.string().max(200).optional(), dcql: dcqlInput })
export const templateId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64')
const templatePath = z.object({ templateId })

/** A DCQL query for the examples: an SD-JWT VC diploma and an mDL. */
export const dcqlExample = {
  query: {
    credentials: [
      {
        id: 'diploma',
        format: 'dc+sd-jwt',
        meta: { vct_values: ['https://university.example/credentials/diploma'] },
        claims: [{ path: ['given_name'] }, { path: ['degree'] }],
      },
      {
        id: 'licence',
        format: 'mso_mdoc',
        meta: { doctype_value: 'org.iso.18013.5.1.mDL' },
        claims: [
          { path: ['org.iso.18013.5.1', 'family_name'], intent_to_retain: false },
          { path: ['org.iso.18013.5.1', 'age_over_18'] },
        ],
      },
    ],
  },
}

export const putPresentationTemplate = operation({
  method: 'put',
  path: '/presentation-templates/{templateId}',
  operationId: 'putPresentationTemplate',
  tags: ['Presentation templates'],
  summary: 'Store (or replace) a DCQL query under a name, for requests to use',
  params: templatePath,
  body: { required: true, schema: templateInput.meta({ examples: [{ label: 'Diploma check', dcql: dcqlExample }] }) },
  responses: { '200': answer('Stored', templateResponse), ...errors(400, 401) },
})

export const getPresentationTemplate = operation({
  method: 'get',
  path: '/presentation-templates/{templateId}',
  operationId: 'getPresentationTemplate',
  tags: ['Presentation templates'],
  summary: 'A stored template',
  params: templatePath,
  responses: { '200': answer('OK', templateResponse), ...errors(401, 404) },
})

export const deletePresentationTemplate = operation({
  method: 'delete',
  path: '/presentation-templates/{templateId}',
  operationId: 'deletePresentationTemplate',
  tags: ['Presentation templates'],
  summary: 'Delete a template',
  params: templatePath,
  responses: { '204': { description: 'Deleted' }, ...errors(401, 404) },
})

/**
 * Stored DCQL queries ("presentation templates"), so that requests can name one instead of
 * repeating it. A new template's id is parsed on its own (a malformed one's 400 names no field);
 * reading or deleting one with an id no template can have is simply not found.
 */
function templateRoutes(): BoundRoute[] {
  return [
    putPresentationTemplate.handle(async (request, response) => {
      const { tenantContext } = response.locals as TenantRequestLocals
      const id = templateId.parse(request.params.templateId)
      const { label, dcql } = putPresentationTemplate.body(request)
      const template = { templateId: id, ...(label ? { label } : {}), dcql }
      await presentationTemplates.put(tenantContext, id, template)
      response.json(template)
    }),

    getPresentationTemplate.handle(async (request, response) => {
      const { tenantContext } = response.locals as TenantRequestLocals
      response.json(await presentationTemplates.get(tenantContext, request.params.templateId as string))
    }),

    deletePresentationTemplate.handle(async (request, response) => {
      const { tenantContext } = response.locals as TenantRequestLocals
      await presentationTemplates.remove(tenantContext, request.params.templateId as string)
      response.status(204).end()
    }),
  ]
}

/** Stored DCQL queries. */
export const templateFeature = feature({
  name: 'presentation templates',
  tags: [['Presentation templates', 'Stored DCQL queries']],
  operations: [putPresentationTemplate, getPresentationTemplate, deletePresentationTemplate],
  routes: templateRoutes,
})
