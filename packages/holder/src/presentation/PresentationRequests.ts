import { randomUUID } from 'node:crypto'
import type { Agent, DcqlCredentialsForRequest } from '@credo-ts/core'
import type { OpenId4VcModule, OpenId4VpResolvedAuthorizationRequest } from '@credo-ts/openid4vc'
import type { ActivityLog } from '../activity/ActivityLog.js'
import { HolderWalletError } from '../errors/HolderWalletError.js'
import { walletErrorOf } from '../errors/walletErrorOf.js'
import type { TrustPolicy } from '../trust/TrustPolicy.js'
import { saveUsedInstances, useInstances } from './credentialInstances.js'
import { credentialsForChoice, type PresentationChoice } from './presentationChoice.js'
import { describeQueries, type ResolvedPresentationRequest } from './ResolvedRequest.js'
import { requestVerifierOf } from './requestVerifier.js'
import {
  type DeclineOptions,
  type PresentationResponse,
  presentationResponseOf,
  sendAccessDenied,
} from './verifierAnswer.js'

export interface AcceptPresentationOptions {
  /** Under the `ask` policy: answer a verifier the wallet does not trust. */
  acceptUntrusted?: boolean
  /**
   * When every instance of a batch-issued credential has been presented: present the last one
   * again rather than fail with `credential_instances_used` (verifiers can then link the
   * presentations). Default: false.
   */
  reuseInstances?: boolean
}

/** What the wallet keeps of a resolved request until it is answered (Credo's matching, with the records). */
interface OpenRequest {
  credo: OpenId4VpResolvedAuthorizationRequest
  view: ResolvedPresentationRequest
}

const MAX_OPEN = 100

/**
 * Presentation requests, step by step: {@link resolve} fetches and checks a request, judges the
 * verifier and matches the wallet's credentials (the consent screen); {@link accept} presents the
 * holder's choice; {@link decline} tells the verifier `access_denied`.
 */
export class PresentationRequests {
  private readonly open = new Map<string, OpenRequest>()

  public constructor(
    private readonly agent: Agent<{ openid4vc: OpenId4VcModule }>,
    private readonly policy: TrustPolicy,
    private readonly activity: ActivityLog,
    private readonly fetcher: typeof fetch,
    private readonly allowInsecureHttp: boolean,
  ) {}

  public async resolve(requestUri: string): Promise<ResolvedPresentationRequest> {
    return (await this.resolveOpen(requestUri)).view
  }

  public async accept(
    resolved: ResolvedPresentationRequest,
    choice: PresentationChoice | undefined,
    options: AcceptPresentationOptions = {},
  ): Promise<PresentationResponse> {
    const { credo, view } = await this.reopen(resolved)
    if (!view.verifier.trust.trusted && !options.acceptUntrusted) {
      throw new HolderWalletError(
        'untrusted_verifier',
        `The wallet does not trust this verifier (${view.verifier.trust.reason}): answer with { acceptUntrusted: true } to present anyway`,
        { details: { verifier: view.verifier } },
      )
    }
    const queryResult = credo.dcql?.queryResult
    if (!queryResult?.can_be_satisfied) {
      throw new HolderWalletError('request_unsatisfiable', 'The wallet holds no credentials that answer this request')
    }
    const holder = this.agent.openid4vc.holder
    const credentials: DcqlCredentialsForRequest = choice
      ? credentialsForChoice(queryResult as NonNullable<typeof queryResult>, choice)
      : holder.selectCredentialsForDcqlRequest(queryResult as NonNullable<typeof queryResult>)
    useInstances(credentials, options.reuseInstances === true)
    const result = await holder
      .acceptOpenId4VpAuthorizationRequest({
        authorizationRequestPayload: credo.authorizationRequestPayload,
        dcql: { credentials },
      })
      .catch((error: unknown) => {
        throw walletErrorOf(error, 'response')
      })
    this.open.delete(view.id)
    await saveUsedInstances(this.agent as unknown as Agent, credentials)
    const answer = result.serverResponse
      ? presentationResponseOf(result.serverResponse.status, result.serverResponse.body)
      : {}
    await this.activity.record({
      type: 'presentation_shared',
      party: view.verifier.clientId,
      ...this.partyName(view),
      credentialIds: Object.values(credentials).flatMap((entries) =>
        (entries as { credentialRecord: { id: string } }[]).map((entry) => entry.credentialRecord.id),
      ),
      sharedClaims: this.sharedClaims(view, credentials),
      ...(answer.verifierError
        ? { detail: `refused: ${answer.verifierError.error ?? answer.verifierError.status}` }
        : {}),
    })
    return answer
  }

  /** The holder said no: the verifier is told `access_denied` where the protocol has a place for it. */
  public async decline(resolved: ResolvedPresentationRequest, options: DeclineOptions = {}) {
    const { credo, view } = await this.reopen(resolved)
    const answer = await sendAccessDenied(this.fetcher, credo.authorizationRequestPayload as Record<string, unknown>, {
      ...options,
      allowInsecureHttp: this.allowInsecureHttp,
    })
    this.open.delete(view.id)
    await this.activity.record({
      type: 'presentation_declined',
      party: view.verifier.clientId,
      ...this.partyName(view),
      detail: answer
        ? answer.verifierError
          ? `refused: ${answer.verifierError.status}`
          : 'sent access_denied'
        : 'nothing sent: the response mode has no endpoint',
    })
    return answer ?? {}
  }

  private async resolveOpen(requestUri: string): Promise<OpenRequest> {
    let credo: OpenId4VpResolvedAuthorizationRequest
    try {
      credo = await this.agent.openid4vc.holder.resolveOpenId4VpAuthorizationRequest(requestUri)
    } catch (error) {
      throw walletErrorOf(error, 'request')
    }
    if (!credo.dcql)
      throw new HolderWalletError('unsupported_request', 'Only DCQL requests are supported (no Presentation Exchange)')
    if (credo.transactionData?.length) {
      throw new HolderWalletError('unsupported_request', 'Requests with transaction data are not supported yet')
    }
    const verifier = await requestVerifierOf(credo, this.policy)
    if (!verifier.trust.trusted && this.policy.mode === 'refuse') {
      throw new HolderWalletError(
        'untrusted_verifier',
        `Refused: the wallet does not trust this verifier. ${verifier.trust.reason}`,
        {
          details: { verifier },
        },
      )
    }
    const view: ResolvedPresentationRequest = {
      id: randomUUID(),
      requestUri,
      verifier,
      ...describeQueries(credo.dcql.queryResult),
      ...(typeof credo.authorizationRequestPayload.response_mode === 'string'
        ? { responseMode: credo.authorizationRequestPayload.response_mode }
        : {}),
    }
    if (this.open.size >= MAX_OPEN) this.open.delete(this.open.keys().next().value as string)
    this.open.set(view.id, { credo, view })
    return { credo, view }
  }

  /** The request as the wallet resolved it (the wallet's own view, not the app's copy), or resolved again. */
  private async reopen(resolved: ResolvedPresentationRequest): Promise<OpenRequest> {
    return this.open.get(resolved.id) ?? this.resolveOpen(resolved.requestUri)
  }

  private partyName(view: ResolvedPresentationRequest) {
    const name = view.verifier.names[0]?.name
    return name ? { partyName: name } : {}
  }

  /** The claim names each query's presentation shows (paths joined with `.`), for the history. */
  private sharedClaims(view: ResolvedPresentationRequest, credentials: DcqlCredentialsForRequest) {
    return Object.fromEntries(
      Object.entries(credentials).map(([queryId, entries]) => {
        const ids = new Set(
          (entries as { credentialRecord: { id: string } }[]).map((entry) => entry.credentialRecord.id),
        )
        const query = view.queries.find((candidate) => candidate.id === queryId)
        const claims = query?.candidates
          .filter((candidate) => ids.has(candidate.credential.id))
          .flatMap((candidate) => candidate.disclosed.map((claim) => claim.path.join('.')))
        return [queryId, [...new Set(claims ?? [])]]
      }),
    )
  }
}
