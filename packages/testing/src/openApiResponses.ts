import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'

/** ajv-formats is CommonJS: its function is the module's default export. */
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv2020) => void }).default

type Document = {
  paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, Response> }>>
  components?: object
}
type Response = { content?: Record<string, { schema?: object }> }

const METHODS = ['get', 'put', 'post', 'delete', 'patch']

/**
 * Checks answers of a service against its own OpenAPI document: each answer's status must be one
 * the operation lists, and its JSON body must match that response's schema (JSON Schema 2020-12,
 * formats included). Records which operations were seen, so a test can require all of them.
 */
export class OpenApiResponseChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true })
  private readonly validators = new Map<string, ValidateFunction>()
  private readonly templates: { template: string; pattern: RegExp; literal: number }[]
  public readonly seen = new Set<string>()

  public constructor(private readonly document: Document) {
    addFormats(this.ajv)
    this.ajv.addSchema({ $id: 'openapi', components: document.components ?? {} })
    this.templates = Object.keys(document.paths)
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        // Prefer /webhooks/dead-letters to /webhooks/{webhookId}.
        literal: template.replace(/\{[^}]+\}/g, '').length,
      }))
      .sort((a, b) => b.literal - a.literal)
  }

  /** Every operation id of the document's paths. */
  public get operationIds(): string[] {
    return Object.values(this.document.paths).flatMap((item) =>
      METHODS.flatMap((method) => (item[method]?.operationId ? [item[method].operationId] : [])),
    )
  }

  /** Throws, naming the operation and the mismatch, unless the answer is one the document describes. */
  public check(method: string, url: string, status: number, body: unknown, contentType?: string | null): void {
    const path = url.split('?')[0] as string
    const lower = method.toLowerCase()
    const match = this.templates.find(
      ({ template, pattern }) => pattern.test(path) && this.document.paths[template]?.[lower],
    )
    if (!match) throw new Error(`${method} ${path} is not in the OpenAPI document`)
    const operation = this.document.paths[match.template]?.[lower]
    const name = `${operation?.operationId} (${method} ${match.template})`
    const response = operation?.responses?.[String(status)]
    if (!response) throw new Error(`${name} answered ${status}, which the document does not list`)
    this.seen.add(operation?.operationId as string)
    const media = contentType?.split(';')[0]?.trim()
    if (!response.content) {
      if (body !== undefined && body !== '')
        throw new Error(`${name} ${status} has a body the document does not describe`)
      return
    }
    if (media && media !== 'application/json') {
      if (!response.content[media])
        throw new Error(`${name} ${status} answered ${media}, which the document does not list`)
      return
    }
    if (!response.content['application/json'])
      throw new Error(`${name} ${status} answered JSON; the document lists none`)
    const pointer = `openapi#/paths/${match.template.replaceAll('~', '~0').replaceAll('/', '~1')}/${lower}/responses/${status}`
    const validate = this.validatorFor(pointer, response.content['application/json'].schema ?? {})
    if (!validate(body)) {
      throw new Error(
        `${name} ${status}: the body does not match the document: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`,
      )
    }
  }

  private validatorFor(key: string, schema: object): ValidateFunction {
    let validate = this.validators.get(key)
    if (!validate) {
      // Component references (#/components/schemas/…) resolve against the document's components.
      const resolved = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'))
      validate = this.ajv.compile(resolved)
      this.validators.set(key, validate)
    }
    return validate
  }
}

/**
 * A service's `call` (from startService) that checks every answer against the service's own
 * `/openapi.json`, as served.
 */
export async function checkedCalls<
  Call extends (
    method: string,
    path: string,
    ...rest: never[]
  ) => Promise<{ status: number; headers: Headers; body: unknown }>,
>(call: Call): Promise<{ call: Call; checker: OpenApiResponseChecker }> {
  const document = (await call('GET', '/openapi.json')).body as Document
  const checker = new OpenApiResponseChecker(document)
  const checked = (async (method: string, path: string, ...rest: never[]) => {
    const answer = await call(method, path, ...rest)
    checker.check(method, path, answer.status, answer.body, answer.headers.get('content-type'))
    return answer
  }) as Call
  return { call: checked, checker }
}

export { exerciseKeyManagement } from './keyManagementFlow.js'
export { expectProbesUp } from './probes.js'
export { walkPages } from './walkPages.js'
