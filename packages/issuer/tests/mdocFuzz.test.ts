import { DevelopmentCa } from '@attesto/protocol-kit'
import { startService } from '@attesto/testing'
import fc from 'fast-check'
import { createIssuerApp, type IssuerRuntime } from '../src/app.js'
import { parseIssued } from './support/auth0Mdoc.js'
import { HandWallet, parseOffer } from './support/HandWallet.js'
import { DOCTYPE, MDL, MDL_CLAIMS, MDL_CONFIGURATION, mdocIssuer, REGISTRY } from './support/mdocFixture.js'

// Fuzzed mso_mdoc input deep inside the bodies (fast-check, fixed seed), where the generic fuzz
// suite (fuzz.test.ts) only alters top-level fields: data element definitions, and offer claims of
// every type, valid and not. No answer is a 5xx, and every offer the API accepts is issued. Real PostgreSQL.

const ELEMENT_TYPES = ['string', 'int', 'uint', 'bool', 'full-date', 'tdate', 'bytes']
const edgeValues = fc.constantFrom<unknown>(
  '1984-08-12',
  '0001-01-01',
  '9999-12-31',
  '2024-02-29',
  '2024-02-31',
  '2026-09-01T08:00:00Z',
  '2026-09-01T08:00:00.123456789+14:00',
  '9999-12-31T23:59:59-01:00',
  '0001-01-01T00:30:00+01:00',
  '',
  'AAEC',
  'AA==',
  'A',
  '_-_-',
  '+/+/',
  '\u0000',
  '\ud800',
  'x'.repeat(10_000),
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  2 ** 53,
  0,
  -1,
  1.5,
  true,
  null,
)
const value = fc.oneof(
  edgeValues,
  edgeValues,
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
)
const text = fc.oneof(
  fc.constantFrom('family_name', 'org.iso.18013.5.1', 'toString', '__x', '1a', '', 'a b'),
  fc.string(),
)

describe('mdoc fuzz', () => {
  let service: Awaited<ReturnType<typeof startService<IssuerRuntime>>>
  let mdoc = { key: '', issuerId: '' }

  beforeAll(async () => {
    service = await startService('issuer', createIssuerApp, { TOKEN_REQUESTS_PER_MINUTE_PER_ADDRESS: '0' })
    mdoc = await mdocIssuer(service, await DevelopmentCa.create({ name: 'Fuzz', country: 'NL' }))
  })
  afterAll(() => service?.close())

  const offer = (claims: object) =>
    service.call('POST', '/offers', mdoc.key, { issuerId: mdoc.issuerId, credentialConfigurationId: 'mdl', claims })

  /** Token, nonce and credential request for the offer at `uri`: the credential response. */
  async function take(wallet: HandWallet, uri: string) {
    const { credentialIssuer, code } = parseOffer(uri)
    const token = await wallet.redeem(credentialIssuer, code)
    return wallet.credential(credentialIssuer, token.body.access_token, {
      credential_configuration_id: 'mdl',
      proofs: { jwt: [wallet.proof(credentialIssuer, await wallet.nonce(credentialIssuer))] },
    })
  }

  it('answers fuzzed data element definitions with 200 or 400', async () => {
    const element = fc.record(
      {
        name: fc.oneof(fc.constantFrom('given_name', 'age_over_21'), text),
        type: fc.oneof(fc.constantFrom(...ELEMENT_TYPES), text),
        required: fc.oneof(fc.boolean(), value),
        display: fc.oneof(fc.constant([{ name: 'Label', locale: 'en' }]), value),
      },
      { requiredKeys: ['name', 'type'] },
    )
    const namespaces = fc.dictionary(
      fc.oneof(fc.constantFrom(MDL, REGISTRY), text),
      fc.array(element, { maxLength: 3 }),
      {
        maxKeys: 3,
      },
    )
    await fc.assert(
      fc.asyncProperty(namespaces, fc.oneof(fc.constant(MDL_CONFIGURATION.doctype), text), async (spaces, doctype) => {
        const answer = await service.call(
          'PUT',
          `/issuers/${mdoc.issuerId}/credential-configurations/fuzzed`,
          mdoc.key,
          {
            ...MDL_CONFIGURATION,
            doctype,
            namespaces: spaces,
          },
        )
        expect([200, 400]).toContain(answer.status)
      }),
      { numRuns: 150, seed: 42 },
    )
  }, 120_000)

  it('answers fuzzed offer claims with 201 or 400, and issues every offer it accepted', async () => {
    const wallet = new HandWallet()
    const overrides = fc.record({
      [MDL]: fc.dictionary(fc.constantFrom(...Object.keys(MDL_CLAIMS[MDL]), 'nick'), value, { maxKeys: 3 }),
      [REGISTRY]: fc.dictionary(fc.constantFrom(...Object.keys(MDL_CLAIMS[REGISTRY])), value, { maxKeys: 3 }),
    })
    let issued = 0
    await fc.assert(
      fc.asyncProperty(overrides, async (changed) => {
        const claims = {
          [MDL]: { ...MDL_CLAIMS[MDL], ...changed[MDL] },
          [REGISTRY]: { ...MDL_CLAIMS[REGISTRY], ...changed[REGISTRY] },
        }
        const made = await offer(claims)
        expect([201, 400]).toContain(made.status)
        if (made.status !== 201) return
        expect((await take(wallet, made.body.uri)).status).toBe(200)
        issued++
      }),
      { numRuns: 120, seed: 42 },
    )
    expect(issued).toBeGreaterThan(5)
  }, 180_000)

  it('issues the edge values of every type as they were given', async () => {
    const wallet = new HandWallet()
    const claims = {
      [MDL]: { family_name: '🙂\u202e', given_name: '', birth_date: '0001-01-01', age_over_18: false, portrait: '' },
      [REGISTRY]: {
        enrolled_at: '2026-09-01T08:00:00.999999999+14:00',
        points: -Number.MAX_SAFE_INTEGER,
        licence_number: Number.MAX_SAFE_INTEGER,
      },
    }
    const answer = await take(wallet, (await offer(claims)).body.uri)
    expect(answer.status).toBe(200)
    const { nameSpaces } = parseIssued(
      DOCTYPE,
      Buffer.from(answer.body.credentials[0].credential, 'base64url'),
    ).issuerSigned
    const values = (namespace: string) =>
      Object.fromEntries((nameSpaces[namespace] ?? []).map((item) => [item.elementIdentifier, item.elementValue]))
    const licence = values(MDL)
    expect([licence.family_name, licence.given_name, licence.age_over_18]).toEqual(['🙂\u202e', '', false])
    expect(licence.birth_date.toISOString()).toBe('0001-01-01')
    expect(Buffer.from(licence.portrait)).toEqual(Buffer.alloc(0))
    // A tdate is written in UTC and to the second, as the mdoc library writes every tdate.
    expect(values(REGISTRY)).toEqual({
      enrolled_at: new Date('2026-08-31T18:00:00Z'),
      points: -Number.MAX_SAFE_INTEGER,
      licence_number: Number.MAX_SAFE_INTEGER,
    })
  })
})
