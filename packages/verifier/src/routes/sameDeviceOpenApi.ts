import { errorBody, type OpenApiPaths, openApi } from '@attesto/agent-runtime'
import { z } from 'zod'
import { presentationResultResponse, redirectUrisResponse } from './responses.js'
import { redeemResultInput, redirectUrisInput } from './sameDeviceRoutes.js'

const { json, answer, errors } = openApi
const verifierPath = z.object({ verifierId: z.string() })

/** `403` with the `Error` body and the codes a same-device result is refused with. */
export const responseCodeRefused = (codes: string) => ({
  '403': {
    description: `The response code does not release this result (${codes})`,
    content: { 'application/json': { schema: errorBody } },
  },
})

/** The same-device flow's operations (docs/SAME-DEVICE.md). */
export const sameDeviceOpenApiPaths: OpenApiPaths = {
  '/verifiers/{verifierId}/redirect-uris': {
    put: {
      operationId: 'putVerifierRedirectUris',
      tags: ['Verifiers'],
      summary:
        "Set the frontend pages the verifier's same-device requests may send the browser back to (replaces the list)",
      description:
        'Exact URIs, compared after normalisation: https, no user information, no fragment (the response code is added as one); http only for localhost, 127.0.0.1 and [::1], and only while the verifier itself runs on http (development). A request names one of them, or gets the first.',
      requestParams: { path: verifierPath },
      requestBody: {
        required: true,
        ...json(redirectUrisInput(false).meta({ examples: [{ redirectUris: ['https://bank.example/verify/done'] }] })),
      },
      responses: { '200': answer('Stored', redirectUrisResponse), ...errors(400, 401, 404) },
    },
    get: {
      operationId: 'getVerifierRedirectUris',
      tags: ['Verifiers'],
      summary: "The verifier's redirect URIs for same-device requests",
      requestParams: { path: verifierPath },
      responses: { '200': answer('OK', redirectUrisResponse), ...errors(401, 404) },
    },
  },
  '/presentation-requests/{requestId}/result': {
    post: {
      operationId: 'redeemPresentationResult',
      tags: ['Presentation requests'],
      summary: "A same-device request's result, released once to the response code its frontend received",
      description:
        "The wallet sends the browser to the request's redirect URI with #response_code=…; the frontend hands the code to its backend, which calls this with the request id it keeps in the browser's session. A wrong code, one already used or older than 10 minutes is 403 and releases nothing; a cross-device request is 409 response_code_not_applicable.",
      requestParams: { path: z.object({ requestId: z.string() }) },
      requestBody: {
        required: true,
        ...json(redeemResultInput.meta({ examples: [{ responseCode: 'Xq3v…43 base64url characters' }] })),
      },
      responses: {
        '200': answer('The result', presentationResultResponse),
        ...errors(400, 401, 404, 409),
        ...responseCodeRefused('response_code_invalid, response_code_used, response_code_expired'),
      },
    },
  },
}
