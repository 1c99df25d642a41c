import { type Agent, MdocRecord } from '@credo-ts/core'
import {
  attachCredentialMetadata,
  type StoredCredentialMetadata,
  toWalletCredential,
  type WalletCredential,
  type WalletRecord,
} from '../credentials/WalletCredential.js'
import { credentialSigner, type PartySigner, type TrustPolicy, type TrustResult } from '../trust/TrustPolicy.js'

/** What the wallet knows of a credential's kind when it arrives (from the offer's preview). */
export type CredentialContext = Omit<StoredCredentialMetadata, 'issuerTrust' | 'receivedAt'>

/** A received credential (verified by Credo: signatures, chain in itself, dates) and the wallet's verdict on its issuer. */
export interface JudgedCredential {
  record: WalletRecord
  metadata: StoredCredentialMetadata
}

/** Judges the issuer of each received credential under the wallet's trust policy. */
export async function judgeCredentials(
  policy: TrustPolicy,
  received: { record: WalletRecord; context: CredentialContext }[],
): Promise<JudgedCredential[]> {
  const receivedAt = new Date().toISOString()
  return Promise.all(
    received.map(async ({ record, context }) => {
      const issuerTrust = await policy.evaluate('issuer', signerOf(record))
      return { record, metadata: { ...context, issuerTrust, receivedAt } }
    }),
  )
}

/** Who signed a credential: the `x5c` or DID of an SD-JWT VC, the `x5chain` of an mdoc. */
export function signerOf(record: WalletRecord): PartySigner {
  if (record instanceof MdocRecord) {
    return {
      x5c: record.firstCredential.issuerSignedCertificateChain.map((der) => Buffer.from(der).toString('base64')),
    }
  }
  const { header, payload } = record.firstCredential
  return credentialSigner(header, payload)
}

/** The first verdict that does not trust the issuer, if any. */
export function distrust(judged: readonly JudgedCredential[]): TrustResult | undefined {
  return judged.map((entry) => entry.metadata.issuerTrust).find((trust) => trust && !trust.trusted)
}

/** Stores credentials with what their card needs. */
export async function storeCredentials(agent: Agent, judged: readonly JudgedCredential[]): Promise<WalletCredential[]> {
  const stored: WalletCredential[] = []
  for (const { record, metadata } of judged) {
    attachCredentialMetadata(record, metadata)
    if (record instanceof MdocRecord) await agent.mdoc.store({ record })
    else await agent.sdJwtVc.store({ record })
    stored.push(toWalletCredential(record))
  }
  return stored
}

/** Forgets credentials that will not be kept, and the keys the wallet made for them. */
export async function discardCredentials(agent: Agent, records: readonly WalletRecord[]): Promise<void> {
  for (const record of records) {
    for (const instance of record.credentialInstances) {
      if (instance.kmsKeyId) await agent.kms.deleteKey({ keyId: instance.kmsKeyId }).catch(() => false)
    }
  }
}
