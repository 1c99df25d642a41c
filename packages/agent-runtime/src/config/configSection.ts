import { z } from 'zod'
import { RuntimeConfigError } from './RuntimeConfigError.js'
import { resolveSecretFiles } from './resolveSecretFiles.js'

export type ServiceRole = 'issuer' | 'verifier'
export type Environment = Record<string, string | undefined>

/** One environment variable, declared once: its parser, what it means, and how it may be given. */
export interface EnvironmentVariable<Schema extends z.ZodType = z.ZodType> {
  /** Parses the raw value (undefined when unset) and gives the default. */
  schema: Schema
  /** What it means, as the README's variable table says it. */
  description: string
  /** The default as the docs say it, where the parsed default does not say it well ("the role"). */
  defaultText?: string
  /** Never logged, never set inline in a deployment manifest. */
  secret?: boolean
  /** May come from `<NAME>_FILE` (default: when secret). */
  fromFile?: boolean
  /** The services that use it (default: every service whose configuration declares it). */
  roles?: readonly ServiceRole[]
}

export type EnvironmentVariables = Record<string, EnvironmentVariable>
export type EnvironmentValues<Variables extends EnvironmentVariables> = {
  [Name in keyof Variables]: z.output<Variables[Name]['schema']>
}

export function variable<Schema extends z.ZodType>(
  schema: Schema,
  declaration: Omit<EnvironmentVariable<Schema>, 'schema'>,
): EnvironmentVariable<Schema> {
  return { schema, ...declaration }
}

/** A configuration problem, as a boot error names it. */
export interface ConfigProblem {
  variable: string
  message: string
}

/**
 * The variables of one concern (storage, the queues, the status lists) and how their parsed values
 * become that concern's configuration object. A service's configuration is a set of sections, read
 * together once at boot (`readConfig`).
 */
export interface ConfigSection<Variables extends EnvironmentVariables = EnvironmentVariables, Config = unknown> {
  variables: Variables
  /** Problems across variables (one requires another), checked when every variable parsed. */
  check?: (values: EnvironmentValues<Variables>) => ConfigProblem[]
  from: (values: EnvironmentValues<Variables>) => Config
}

/** Declares a section (infers its types). */
export function configSection<Variables extends EnvironmentVariables, Config>(
  section: ConfigSection<Variables, Config>,
): ConfigSection<Variables, Config> {
  return section
}

// biome-ignore lint/suspicious/noExplicitAny: a section of any variables and configuration
export type ConfigSections = Record<string, ConfigSection<any, any>>
export type SectionConfigs<Sections extends ConfigSections> = {
  [Key in keyof Sections]: ReturnType<Sections[Key]['from']>
}

/** Every variable of the sections, by name; throws if two sections declare one name. */
export function variablesOf(sections: ConfigSections): EnvironmentVariables {
  const variables: EnvironmentVariables = {}
  for (const section of Object.values(sections)) {
    for (const [name, declaration] of Object.entries(section.variables as EnvironmentVariables)) {
      if (variables[name] && variables[name] !== declaration) throw new Error(`${name} is declared twice`)
      variables[name] = declaration
    }
  }
  return variables
}

const invalid = (problems: string[]) => new RuntimeConfigError(`Invalid configuration:\n${problems.join('\n')}`)

/**
 * Reads the sections' variables from `env` in one pass: secrets from `<NAME>_FILE` files, then
 * every value parsed and the cross-variable checks run. Throws a {@link RuntimeConfigError} naming
 * every bad variable and what it needs; otherwise gives each section's configuration.
 */
export function readConfig<Sections extends ConfigSections>(
  sections: Sections,
  env: Environment,
): SectionConfigs<Sections> {
  const variables = variablesOf(sections)
  const fileVariables = Object.entries(variables)
    .filter(([, declaration]) => declaration.fromFile ?? declaration.secret)
    .map(([name]) => name)
  const schema = z.object(Object.fromEntries(Object.entries(variables).map(([name, d]) => [name, d.schema])))
  const parsed = schema.safeParse(resolveSecretFiles(env, fileVariables))
  if (!parsed.success) {
    throw invalid(parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`))
  }
  const values = parsed.data as Record<string, unknown>
  const problems = Object.values(sections).flatMap((section) => section.check?.(values) ?? [])
  if (problems.length) throw invalid(problems.map(({ variable, message }) => `  ${variable}: ${message}`))
  return Object.fromEntries(
    Object.entries(sections).map(([key, section]) => [key, section.from(values)]),
  ) as SectionConfigs<Sections>
}

/** One section's configuration from `env` (tests, and tools that need one concern). */
export function readSection<Variables extends EnvironmentVariables, Config>(
  section: ConfigSection<Variables, Config>,
  env: Environment,
): Config {
  return readConfig({ section }, env).section
}
