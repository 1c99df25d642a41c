import { AgentConfig, AgentContext, type AgentContextProvider, CredoError, inject, injectable } from '@credo-ts/core'
import { tenantIdOfContext } from './contextCorrelationId.js'
import { TenantRepository } from './TenantRepository.js'

/**
 * Gives each tenant its own agent context (`tenant-<id>`): a child dependency container over
 * the root one, initialised once per process and kept, since every byte of state lives in
 * storage and the KMS. Contexts of deleted tenants are refused.
 */
@injectable()
export class TenantAgentContextProvider implements AgentContextProvider {
  private readonly contexts = new Map<string, Promise<AgentContext>>()

  public constructor(
    @inject(AgentContext) public readonly rootAgentContext: AgentContext,
    private readonly tenantRepository: TenantRepository,
  ) {}

  public async getAgentContextForContextCorrelationId(contextCorrelationId: string): Promise<AgentContext> {
    if (contextCorrelationId === this.rootAgentContext.contextCorrelationId) return this.rootAgentContext
    const tenantId = tenantIdOfContext(contextCorrelationId)
    if (tenantId === undefined) {
      throw new CredoError(`Unknown agent context '${contextCorrelationId}'`)
    }
    let context = this.contexts.get(contextCorrelationId)
    if (!context) {
      context = this.createTenantContext(tenantId)
      this.contexts.set(contextCorrelationId, context)
      context.catch(() => this.contexts.delete(contextCorrelationId))
    }
    return context
  }

  public async getContextForInboundMessage(): Promise<AgentContext> {
    return this.rootAgentContext
  }

  public async endSessionForAgentContext(): Promise<void> {
    // Contexts hold no per-session resources: nothing to release.
  }

  public async deleteAgentContext(agentContext: AgentContext): Promise<void> {
    await agentContext.dependencyManager.deleteAgentContext(agentContext)
    this.contexts.delete(agentContext.contextCorrelationId)
  }

  private async createTenantContext(tenantId: string): Promise<AgentContext> {
    // Throws RecordNotFoundError for a tenant that does not exist.
    const tenant = await this.tenantRepository.getById(this.rootAgentContext, tenantId)
    const dependencyManager = this.rootAgentContext.dependencyManager.createChild()
    const agentContext = new AgentContext({ contextCorrelationId: tenant.contextCorrelationId, dependencyManager })
    dependencyManager.registerInstance(AgentContext, agentContext)
    dependencyManager.registerInstance(AgentConfig, this.rootAgentContext.config)
    await dependencyManager.initializeAgentContext(agentContext)
    return agentContext
  }
}
