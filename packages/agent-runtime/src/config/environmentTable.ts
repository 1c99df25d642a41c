import { type ConfigSections, type EnvironmentVariable, type ServiceRole, variablesOf } from './configSection.js'

/** One declared variable as the docs and the deployment checks see it. */
export interface VariableRow {
  name: string
  /** The services whose configuration reads it. */
  roles: ServiceRole[]
  defaultText: string
  description: string
  secret: boolean
  /** May be given as `<NAME>_FILE`. */
  fromFile: boolean
}

/** How the default reads: declared text, else what parsing an unset variable gives. */
function defaultTextOf(declaration: EnvironmentVariable): string {
  if (declaration.defaultText) return declaration.defaultText
  const parsed = declaration.schema.safeParse(undefined)
  const value: unknown = parsed.success ? parsed.data : undefined
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return 'none'
  if (typeof value === 'number') return value.toLocaleString('en-US')
  return `\`${String(value)}\``
}

/**
 * Every variable of every service, once, in declaration order (the runtime's first), with the
 * services that read it: the registry the README's table and the deployment checks come from.
 */
export function environmentRows(services: Partial<Record<ServiceRole, ConfigSections>>): VariableRow[] {
  const rows = new Map<string, VariableRow>()
  for (const [role, sections] of Object.entries(services) as [ServiceRole, ConfigSections][]) {
    for (const [name, declaration] of Object.entries(variablesOf(sections))) {
      const row = rows.get(name)
      if (row) {
        if (!row.roles.includes(role) && (declaration.roles ?? [role]).includes(role)) row.roles.push(role)
        continue
      }
      rows.set(name, {
        name,
        roles: declaration.roles ? [...declaration.roles] : [role],
        defaultText: defaultTextOf(declaration),
        description: declaration.description,
        secret: declaration.secret ?? false,
        fromFile: declaration.fromFile ?? declaration.secret ?? false,
      })
    }
  }
  return [...rows.values()]
}

/** The README's table of the services' variables. */
export function environmentMarkdown(rows: VariableRow[]): string {
  const lines = rows.map((row) => {
    const name = row.fromFile ? `\`${row.name}\` or \`${row.name}_FILE\`` : `\`${row.name}\``
    const roles = row.roles.length > 1 ? 'both' : row.roles.join('')
    return `| ${name} | ${roles} | ${row.defaultText} | ${row.description}${row.secret ? '; secret, never logged' : ''} |`
  })
  return ['| variable | service | default | meaning |', '| --- | --- | --- | --- |', ...lines].join('\n')
}
