import { createHash, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto'
import mdl from '@auth0/mdl'
import { cborDecode, cborEncode } from '@auth0/mdl/lib/cbor/index.js'
import IssuerAuth from '@auth0/mdl/lib/mdoc/model/IssuerAuth.js'
import { calculateJwkThumbprint, type JWK } from 'jose'
import type { CertifiedIssuer, RequestObject } from './HandBuiltWallet.js'

export const MDL_DOCTYPE = 'org.iso.18013.5.1.mDL'
export const MDL_NAMESPACE = 'org.iso.18013.5.1'

/** What the wallet's device signature covers: OpenID4VP 1.0 B.2.6.1, computed here with @auth0/mdl's CBOR and jose. */
export interface Handover {
  clientId: string
  nonce: string
  responseUri: string
  /** The key the response is encrypted to (direct_post.jwt), or none. */
  encryptionJwk?: JWK
}

/** `SessionTranscriptBytes` for `handover`, built independently of the verifier's code. */
export async function sessionTranscript(handover: Handover): Promise<Buffer> {
  const thumbprint = handover.encryptionJwk
    ? Buffer.from(await calculateJwkThumbprint(handover.encryptionJwk, 'sha256'), 'base64url')
    : null
  const info = cborEncode([handover.clientId, handover.nonce, thumbprint, handover.responseUri])
  const hash = createHash('sha256').update(info).digest()
  return cborEncode(mdl.DataItem.fromData([null, null, ['OpenID4VPHandover', hash]]))
}

/** The handover of a request object as a wallet reads it (its response key when it asks for direct_post.jwt). */
export function handoverOf(request: RequestObject): Handover {
  const { client_id, nonce, response_uri, response_mode, client_metadata } = request.payload
  return {
    clientId: client_id,
    nonce,
    responseUri: response_uri,
    encryptionJwk: response_mode === 'direct_post.jwt' ? client_metadata.jwks?.keys[0] : undefined,
  }
}

export interface IssueMdocOptions {
  docType?: string
  validity?: { signed?: Date; validFrom?: Date; validUntil?: Date }
  /** A Token Status List reference in the MSO (`status.status_list`), which @auth0/mdl does not write itself. */
  status?: { idx: number; uri: string }
}

/**
 * An ISO mdoc wallet made of @auth0/mdl (Auth0's ISO/IEC 18013-5 implementation, sharing no code
 * with the verifier's @animo-id/mdoc): an issuer certified by a development IACA signs an mdoc
 * for the wallet's device key, and the wallet presents it as a DeviceResponse signed with that
 * key over a session transcript it computes itself.
 */
export class Auth0MdocWallet {
  public readonly deviceKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })

  public constructor(private readonly issuer: CertifiedIssuer) {}

  private jwk(key: KeyObject): JsonWebKey {
    return key.export({ format: 'jwk' })
  }

  /** An mdoc of `claims` (namespace → element → value) under the issuer's x5chain (DS and IACA-issued CA). */
  public async issue(claims: Record<string, Record<string, unknown>>, options: IssueMdocOptions = {}) {
    let document = new mdl.Document(options.docType ?? MDL_DOCTYPE)
    for (const [namespace, values] of Object.entries(claims)) document = document.addIssuerNameSpace(namespace, values)
    const now = new Date()
    const signed = await document
      .useDigestAlgorithm('SHA-256')
      .addValidityInfo({
        signed: options.validity?.signed ?? now,
        validFrom: options.validity?.validFrom ?? now,
        validUntil: options.validity?.validUntil ?? new Date(now.getTime() + 30 * 86_400_000),
      })
      .addDeviceKeyInfo({ deviceKey: this.jwk(this.deviceKey.publicKey) as never })
      .sign({
        issuerPrivateKey: this.jwk(this.issuer.privateKey) as never,
        issuerCertificate: this.issuer.x5c.map((entry) => Buffer.from(entry, 'base64')),
        alg: 'ES256',
      })
    return options.status ? this.withStatus(signed, options.status) : signed
  }

  /** The signed mdoc with `status` added to its MSO, signed again by the issuer (the namespaces unchanged). */
  private async withStatus(signed: mdl.IssuerSignedDocument, status: { idx: number; uri: string }) {
    const mso = (cborDecode(signed.issuerSigned.issuerAuth.payload) as mdl.DataItem<Map<string, unknown>>).data
    mso.set('status', new Map([['status_list', new Map<string, unknown>(Object.entries(status))]]))
    const issuerAuth = await IssuerAuth.default.sign(
      { alg: 'ES256' },
      { x5chain: this.issuer.x5c.map((entry) => Buffer.from(entry, 'base64')) } as never,
      cborEncode(mdl.DataItem.fromData(mso)),
      this.issuer.privateKey,
    )
    return new mdl.IssuerSignedDocument(signed.docType, { ...signed.issuerSigned, issuerAuth })
  }

  /**
   * A base64url DeviceResponse disclosing `elements` of `issued` (namespace → element names),
   * device-signed over the transcript of `handover` (OpenID4VP 1.0), or over the ISO/IEC 18013-7
   * Annex B draft handover with an mdoc-generated nonce, as wallets of pre-1.0 drafts sign.
   */
  public async present(
    issued: Awaited<ReturnType<Auth0MdocWallet['issue']>>,
    elements: Record<string, string[]>,
    handover: Handover | { draft: Handover & { mdocGeneratedNonce: string } },
  ): Promise<string> {
    const fields = Object.entries(elements).flatMap(([namespace, names]) =>
      names.map((name) => ({ path: [`$['${namespace}']['${name}']`], intent_to_retain: false })),
    )
    const definition = {
      id: 'request',
      input_descriptors: [
        {
          id: issued.docType,
          format: { mso_mdoc: { alg: ['ES256'] } },
          constraints: { limit_disclosure: 'required', fields },
        },
      ],
    }
    const builder = mdl.DeviceResponse.from(new mdl.MDoc([issued])).usingPresentationDefinition(definition)
    const transcribed =
      'draft' in handover
        ? builder.usingSessionTranscriptForOID4VP(
            handover.draft.mdocGeneratedNonce,
            handover.draft.clientId,
            handover.draft.responseUri,
            handover.draft.nonce,
          )
        : builder.usingSessionTranscriptBytes(await sessionTranscript(handover))
    const response = await transcribed
      .authenticateWithSignature(this.jwk(this.deviceKey.privateKey) as never, 'ES256')
      .sign()
    return Buffer.from(response.encode()).toString('base64url')
  }
}
