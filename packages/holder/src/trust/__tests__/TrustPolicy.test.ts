import { DevelopmentCa } from '@attesto/protocol-kit'
import { describe, expect, it } from '@jest/globals'
import { certifiedKey } from '../../../tests/support/certifiedKey.js'
import { TrustPolicy } from '../TrustPolicy.js'

// The wallet's one place of trust decisions, on chains from development CAs (@peculiar/x509).

describe('TrustPolicy', () => {
  it('trusts a chain that leads to an anchor of the role, and says why not otherwise', async () => {
    const national = await DevelopmentCa.create({ name: 'Example National' })
    const other = await DevelopmentCa.create({ name: 'Other' })
    const { x5c } = await certifiedKey(national, 'University')
    const policy = await TrustPolicy.create({ verifiers: { certificates: [other.rootBase64()] } }, [
      national.rootBase64(),
    ])
    expect(policy.mode).toBe('refuse')
    const trusted = await policy.evaluate('issuer', { x5c })
    expect(trusted).toMatchObject({
      trusted: true,
      basis: 'x509_anchor',
      certificate: {
        chain: [{ subject: 'CN=University' }, { subject: 'CN=Example National Issuing CA' }],
        anchor: { subject: 'CN=Example National Root CA' },
      },
    })
    // Role anchors: `other` is trusted for verifiers only.
    const { x5c: bank } = await certifiedKey(other, 'Bank')
    expect(await policy.evaluate('verifier', { x5c: bank })).toMatchObject({ trusted: true, basis: 'x509_anchor' })
    expect(await policy.evaluate('issuer', { x5c: bank })).toMatchObject({
      trusted: false,
      code: 'no_trusted_anchor',
      certificate: { chain: [{ subject: 'CN=Bank' }, {}] },
    })
    // A leaf presented with another CA's intermediate does not link.
    const broken = await policy.evaluate('issuer', { x5c: [x5c[0] as string, bank[1] as string] })
    expect(broken).toMatchObject({ trusted: false, code: 'invalid_certificate_chain' })
    expect(await policy.evaluate('issuer', { x5c: ['bm90IGEgY2VydGlmaWNhdGU='] })).toMatchObject({
      trusted: false,
      code: 'invalid_certificate_chain',
      certificate: { chain: [] },
    })
  })

  it('trusts an intermediate as anchor too', async () => {
    const ca = await DevelopmentCa.create()
    const { x5c } = await certifiedKey(ca, 'University')
    const policy = await TrustPolicy.create({}, [x5c[1] as string])
    expect(await policy.evaluate('issuer', { x5c })).toMatchObject({ trusted: true, basis: 'x509_anchor' })
  })

  it('checks DIDs against the allow-list of the role; without one, any DID is accepted as such', async () => {
    const policy = await TrustPolicy.create({ issuers: { dids: ['did:example:university'] }, untrusted: 'ask' })
    expect(policy.mode).toBe('ask')
    expect(await policy.evaluate('issuer', { did: 'did:example:university' })).toEqual({
      trusted: true,
      basis: 'did_allow_list',
      did: 'did:example:university',
    })
    expect(await policy.evaluate('issuer', { did: 'did:example:forger' })).toMatchObject({
      trusted: false,
      code: 'not_on_allow_list',
    })
    expect(await policy.evaluate('verifier', { did: 'did:example:bank' })).toEqual({
      trusted: true,
      basis: 'any_did',
      did: 'did:example:bank',
    })
    const none = await TrustPolicy.create({ verifiers: { dids: [] } })
    expect(await none.evaluate('verifier', { did: 'did:example:bank' })).toMatchObject({ trusted: false })
    expect(await none.evaluate('verifier', { unsigned: true })).toMatchObject({
      trusted: false,
      code: 'unsigned_request',
    })
  })

  it('refuses anchors that are not CA certificates', async () => {
    const ca = await DevelopmentCa.create()
    const { x5c } = await certifiedKey(ca, 'Leaf')
    await expect(TrustPolicy.create({}, [x5c[0] as string])).rejects.toMatchObject({
      code: 'invalid_trust_anchor',
      details: { certificateCode: 'certificate_key_usage' },
    })
    await expect(TrustPolicy.create({ issuers: { certificates: ['garbage'] } })).rejects.toMatchObject({
      code: 'invalid_trust_anchor',
    })
  })
})
