// Checks the Kubernetes manifests and compose files against what the services really read:
// - every Kubernetes object of a known API group validates against its API schema
//   (kubernetes-models); custom resources (KEDA, External Secrets) and patches are parsed only;
// - every kustomization's resources exist;
// - every environment variable set (env, ConfigMap literals, compose environment) is declared in
//   the configuration registry (scripts/environmentRegistry.mjs) and read by that container's
//   service (issuer or verifier, from its image or name), or is the <NAME>_FILE of a secret variable
//   declared so; no secret variable is set inline;
// - every probe path is a route of the health module, every probe port a container port;
// - every *_FILE points into a volume the container mounts, with that file in it;
// - every container: non-root, read-only root filesystem, no privilege escalation, requests
//   and limits; HPAs and PDBs point at Deployments that exist.
//   node deploy/test/checkManifests.mjs          (after npm run build)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'
import { ENVIRONMENT_ROWS } from '../../scripts/environmentRegistry.mjs'

const root = fileURLToPath(new URL('../..', import.meta.url))
const problems = []
const problem = (where, message) => problems.push(`${where}: ${message}`)

const secretVariables = new Set(ENVIRONMENT_ROWS.filter((row) => row.secret).map((row) => row.name))
/** Variable name (and `<NAME>_FILE` of the secrets that may come from a file) → the services reading it. */
const readers = new Map(
  ENVIRONMENT_ROWS.flatMap((row) => [
    [row.name, row.roles],
    ...(row.fromFile && !ENVIRONMENT_ROWS.some((other) => other.name === `${row.name}_FILE`)
      ? [[`${row.name}_FILE`, row.roles]]
      : []),
  ]),
)
/** The service of a container, ConfigMap or compose service, from its image or name. */
const roleOf = (...names) =>
  ['issuer', 'verifier'].find((role) => names.some((name) => String(name ?? '').includes(role)))
const healthSource = readFileSync(join(root, 'packages/agent-runtime/src/http/healthRoutes.ts'), 'utf8')
const probePaths = new Set([...healthSource.matchAll(/path: '([^']+)'/g)].map((match) => match[1]))

/** A secret variable may be set inline only as a URL without credentials (a Redis on a private network). */
function checkVariable(where, name, value, role) {
  const harmless = /_URL$/.test(name) && typeof value === 'string' && !/\/\/[^/]*@/.test(value)
  if (secretVariables.has(name) && !harmless)
    problem(where, `${name} set inline: give it as ${name}_FILE from a secret`)
  else if (!readers.has(name)) problem(where, `${name} is not a variable the services read`)
  else if (role && !readers.get(name).includes(role)) problem(where, `${name} is not a variable the ${role} reads`)
}

function yamlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return yamlFiles(path)
    return /\.ya?ml$/.test(name) ? [path] : []
  })
}

const documents = []
for (const file of yamlFiles(join(root, 'deploy/kubernetes'))) {
  const where = relative(root, file)
  for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (document.errors.length) problem(where, document.errors.map(String).join('; '))
    const object = document.toJS()
    if (object) documents.push({ where, object, partial: /patch/.test(file) })
  }
}

const deployments = new Map()
for (const { where, object, partial } of documents) {
  const at = `${where} ${object.kind}/${object.metadata?.name ?? ''}`
  if (object.kind === 'Kustomization') {
    for (const resource of object.resources ?? []) {
      if (!existsSync(join(dirname(join(root, where)), resource))) problem(at, `resource ${resource} does not exist`)
    }
    for (const generator of object.configMapGenerator ?? []) {
      for (const literal of generator.literals ?? []) {
        const [name, value] = literal.split(/=(.*)/s)
        checkVariable(`${at} ConfigMap/${generator.name}`, name, value, roleOf(generator.name))
      }
    }
    continue
  }
  const group = object.apiVersion ?? ''
  if (!partial && !/\.(sh|io)\//.test(group.replace('.k8s.io/', '/'))) {
    try {
      const module = await import(`kubernetes-models/${group}`)
      const Model = module[object.kind]
      if (!Model) problem(at, `no ${object.kind} in ${group}`)
      else new Model(object).validate()
    } catch (error) {
      problem(at, `does not validate: ${error.message.split('\n').slice(0, 4).join(' ')}`)
    }
  }
  if (object.kind === 'Deployment' && !partial) deployments.set(object.metadata.name, object)
  const pod = object.kind === 'Job' || object.kind === 'Deployment' ? object.spec?.template?.spec : undefined
  if (!pod) continue
  const volumes = new Map((pod.volumes ?? []).map((volume) => [volume.name, volume]))
  for (const container of pod.containers ?? []) {
    const c = `${at} container ${container.name}`
    const ports = new Set((container.ports ?? []).flatMap((port) => [port.name, port.containerPort]))
    for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      const probe = container[kind]?.httpGet
      if (!probe) continue
      if (!probePaths.has(probe.path)) problem(c, `${kind} path ${probe.path} is not a health route`)
      if (!ports.has(probe.port)) problem(c, `${kind} port ${probe.port} is not a container port`)
    }
    // The image listens on PORT=8080, and on the metrics ports the container's environment names.
    const listening = new Set([8080])
    for (const variable of container.env ?? []) {
      if (['METRICS_PORT', 'WORKER_METRICS_PORT'].includes(variable.name)) listening.add(Number(variable.value))
    }
    for (const port of container.ports ?? []) {
      if (!listening.has(port.containerPort)) {
        problem(
          c,
          `port ${port.containerPort}: the image listens on PORT=8080 and METRICS_PORT/WORKER_METRICS_PORT only`,
        )
      }
    }
    for (const variable of container.env ?? []) {
      checkVariable(c, variable.name, variable.value, roleOf(container.image, container.name))
      if (!partial && variable.name.endsWith('_FILE')) {
        const mount = (container.volumeMounts ?? []).find((m) => variable.value?.startsWith(`${m.mountPath}/`))
        const volume = mount && volumes.get(mount.name)
        const file = mount && variable.value.slice(mount.mountPath.length + 1)
        const items = volume?.secret?.items
        if (!volume?.secret) problem(c, `${variable.name}=${variable.value} is not in a mounted secret`)
        else if (items && !items.some((item) => item.path === file))
          problem(c, `${variable.name}: no ${file} in the secret volume`)
      }
    }
    if (partial) continue
    const security = { ...pod.securityContext, ...container.securityContext }
    if (security.runAsNonRoot !== true) problem(c, 'not runAsNonRoot')
    if (security.readOnlyRootFilesystem !== true) problem(c, 'root filesystem not read-only')
    if (security.allowPrivilegeEscalation !== false) problem(c, 'allowPrivilegeEscalation not false')
    if (!container.resources?.requests || !container.resources?.limits) problem(c, 'no resource requests and limits')
  }
}
for (const { where, object } of documents) {
  const target =
    object.kind === 'HorizontalPodAutoscaler' || object.kind === 'ScaledObject'
      ? object.spec?.scaleTargetRef?.name
      : object.kind === 'PodDisruptionBudget'
        ? [...deployments.values()].find((d) =>
            Object.entries(object.spec.selector.matchLabels).every(
              ([k, v]) => d.spec.template.metadata.labels[k] === v,
            ),
          )?.metadata.name
        : undefined
  if (
    (object.kind === 'HorizontalPodAutoscaler' ||
      object.kind === 'ScaledObject' ||
      object.kind === 'PodDisruptionBudget') &&
    !deployments.has(target)
  ) {
    problem(`${where} ${object.kind}/${object.metadata.name}`, 'targets no Deployment of the manifests')
  }
}
for (const kind of ['HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy', 'Job', 'Service']) {
  if (!documents.some(({ object }) => object.kind === kind)) problem('deploy/kubernetes', `no ${kind}`)
}

// Compose: the environment of every Attesto service.
for (const file of ['deploy/compose/shared.yaml', 'deploy/compose/split.yaml']) {
  const compose = parseAllDocuments(readFileSync(join(root, file), 'utf8'), { merge: true })[0].toJS({
    maxAliasCount: -1,
  })
  for (const [name, service] of Object.entries(compose.services)) {
    if (!String(service.image).includes('attesto-')) continue
    for (const [variable, value] of Object.entries(service.environment ?? {}))
      checkVariable(`${file} ${name}`, variable, value, roleOf(service.image))
    if (!service.read_only) problem(`${file} ${name}`, 'root filesystem not read-only')
  }
}

if (problems.length) {
  console.error(`[manifests] ${problems.length} problem(s):\n  ${problems.join('\n  ')}`)
  process.exit(1)
}
console.log(
  `[manifests] ${documents.length} Kubernetes documents and 2 compose files: schemas, probes, ports, variables, secrets and security contexts check out`,
)
