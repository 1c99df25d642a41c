import { type ChildProcess, spawn } from 'node:child_process'

/**
 * A service (`issuer` or `verifier`) as its own process, started from `script`, the absolute path
 * of its built server (the packages that start one resolve it from the service's package).
 */
export class ServiceProcess {
  private process?: ChildProcess
  public output = ''

  public constructor(
    private readonly role: 'issuer' | 'verifier',
    public readonly port: number,
    private readonly env: Record<string, string>,
    private readonly script: string,
  ) {}

  public get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** The process id, once started (to read its CPU time from /proc). */
  public get pid(): number {
    const pid = this.process?.pid
    if (pid === undefined) throw new Error(`${this.role} on ${this.port} is not running`)
    return pid
  }

  public async start(): Promise<this> {
    // SERVICE_CPU_PROFILE_DIR: each service writes a V8 CPU profile there when it stops (benchmarks).
    const profileDir = process.env.SERVICE_CPU_PROFILE_DIR
    const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []
    this.process = spawn(process.execPath, [...profile, this.script], {
      env: {
        ...process.env,
        // Test issuers publish their status lists at http://127.0.0.1.
        ...(this.role === 'verifier' ? { STATUS_LIST_ALLOW_INSECURE: 'true' } : {}),
        LOG_LEVEL: 'warn',
        ...this.env,
        ROLE: this.role,
        PORT: String(this.port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.process.stdout?.on('data', (chunk) => (this.output += chunk))
    this.process.stderr?.on('data', (chunk) => (this.output += chunk))
    // Loading Credo's modules alone takes tens of seconds on a busy 2-core machine.
    const deadline = Date.now() + 120_000
    for (;;) {
      const ready = await fetch(`${this.url}/ready`).then(
        (r) => r.ok,
        () => false,
      )
      if (ready) return this
      if (this.process.exitCode !== null || Date.now() > deadline) {
        throw new Error(`${this.role} on ${this.port} did not become ready:\n${this.output}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  /** A REST call with an API key: the status and the parsed body (null when it is not JSON). */
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely in tests
  public async call(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    return { status: response.status, body: await response.json().catch(() => null) }
  }

  /** Kills the process at once, as a crash would (no graceful shutdown). */
  public async kill(): Promise<void> {
    const child = this.process
    if (!child || child.exitCode !== null || child.signalCode) return
    await new Promise((resolve) => {
      child.once('exit', resolve)
      // A profiled service shuts down gracefully, so that it writes its profile.
      child.kill(process.env.SERVICE_CPU_PROFILE_DIR ? 'SIGTERM' : 'SIGKILL')
    })
  }
}

/** A REST caller of the service at `baseUrl`: method, path, API key and JSON body; answers the status and parsed body. */
export function restCaller(baseUrl: string) {
  return async (method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely in tests
    return { status: response.status, body: (await response.json()) as any }
  }
}
