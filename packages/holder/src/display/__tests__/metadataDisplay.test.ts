import { describe, expect, it } from '@jest/globals'
import { claimLabel, pickLocale } from '../displayTypes.js'
import { configurationDisplayOf, issuerDisplayOf, typeMetadataDisplayOf } from '../metadataDisplay.js'

// Where issuers put a credential's display: OID4VCI 1.0 under `credential_metadata`, drafts 13 to
// 15 on the configuration itself (draft 13 with claims as a nested object), SD-JWT VC type
// metadata under `rendering.simple`. The shapes below are those of the specifications' examples.

const card = {
  name: 'University Credential',
  locale: 'en-US',
  logo: { uri: 'https://u.example/l.png', alt_text: 'a square logo' },
  background_color: '#12107c',
  text_color: '#FFFFFF',
}
const expectedCard = {
  name: 'University Credential',
  locale: 'en-US',
  logo: { uri: 'https://u.example/l.png', altText: 'a square logo' },
  backgroundColor: '#12107c',
  textColor: '#FFFFFF',
}

describe('credential display from issuer metadata', () => {
  it('reads OID4VCI 1.0 credential_metadata', () => {
    const display = configurationDisplayOf({
      format: 'dc+sd-jwt',
      vct: 'SD_JWT_VC_example_in_OpenID4VCI',
      credential_metadata: {
        display: [card, { name: 'Diplôme', locale: 'fr', background_image: { uri: 'https://u.example/bg.png' } }],
        claims: [
          {
            path: ['given_name'],
            display: [
              { name: 'Given Name', locale: 'en-US' },
              { name: 'Vorname', locale: 'de-DE' },
            ],
          },
          { path: ['address', 'street_address'], mandatory: true, display: [{ name: 'Street', locale: 'en-US' }] },
          { path: ['degrees', null, 'type'] },
          { path: 'not a path' },
        ],
      },
    })
    expect(display.display).toEqual([
      expectedCard,
      { name: 'Diplôme', locale: 'fr', backgroundImage: 'https://u.example/bg.png' },
    ])
    expect(display.claims).toEqual([
      {
        path: ['given_name'],
        labels: [
          { name: 'Given Name', locale: 'en-US' },
          { name: 'Vorname', locale: 'de-DE' },
        ],
      },
      { path: ['address', 'street_address'], mandatory: true, labels: [{ name: 'Street', locale: 'en-US' }] },
      { path: ['degrees', null, 'type'], labels: [] },
    ])
    expect(claimLabel(display.claims, ['given_name'], ['de'])).toBe('Vorname')
    expect(claimLabel(display.claims, ['degrees', 2, 'type'])).toBeUndefined()
  })

  it('reads draft 13: display on the configuration, claims as a nested object', () => {
    const display = configurationDisplayOf({
      format: 'vc+sd-jwt',
      vct: 'SD_JWT_VC_example_in_OpenID4VCI',
      display: [{ ...card, logo: { url: 'https://u.example/l.png', alt_text: 'a square logo' } }],
      claims: {
        given_name: { display: [{ name: 'Given Name', locale: 'en-US' }] },
        address: { street_address: { mandatory: true, display: [{ name: 'Street', locale: 'en-US' }] } },
      },
    })
    expect(display.display).toEqual([expectedCard])
    expect(display.claims).toEqual([
      { path: ['given_name'], labels: [{ name: 'Given Name', locale: 'en-US' }] },
      { path: ['address', 'street_address'], mandatory: true, labels: [{ name: 'Street', locale: 'en-US' }] },
    ])
  })

  it('reads SD-JWT VC type metadata (rendering.simple, lang and label)', () => {
    const display = typeMetadataDisplayOf({
      vct: 'https://betelgeuse.example.com/education_credential',
      display: [
        {
          lang: 'en-US',
          name: 'Betelgeuse Education Credential',
          rendering: { simple: { logo: { uri: 'https://b.example/l.png' }, background_color: '#12107c' } },
        },
      ],
      claims: [{ path: ['name'], display: [{ lang: 'de-DE', label: 'Vor- und Nachname' }] }],
    })
    expect(display).toEqual({
      display: [
        {
          name: 'Betelgeuse Education Credential',
          locale: 'en-US',
          logo: { uri: 'https://b.example/l.png' },
          backgroundColor: '#12107c',
        },
      ],
      claims: [{ path: ['name'], labels: [{ name: 'Vor- und Nachname', locale: 'de-DE' }] }],
    })
  })

  it('keeps only well-typed, bounded fields of what an issuer publishes', () => {
    expect(configurationDisplayOf('nonsense')).toEqual({ display: [], claims: [] })
    const [entry] = configurationDisplayOf({
      display: [{ name: 'x'.repeat(5_000), logo: 'not an object', text_color: 7 }, { locale: 'en' }],
    }).display
    expect(entry).toEqual({ name: 'x'.repeat(1_000) })
    expect(issuerDisplayOf([{ name: 'University', locale: 'en' }, { locale: 'nl' }, 'x'])).toEqual([
      { name: 'University', locale: 'en' },
    ])
  })

  it('picks the locale a person reads: exact tag, then language, then unlabelled, then first', () => {
    const entries = [{ locale: 'en-GB', name: 'en-GB' }, { locale: 'nl', name: 'nl' }, { name: 'default' }]
    expect(pickLocale(entries, ['nl-BE'])?.name).toBe('nl')
    expect(pickLocale(entries, ['en'])?.name).toBe('en-GB')
    expect(pickLocale(entries, ['fr', 'EN-gb'])?.name).toBe('en-GB')
    expect(pickLocale(entries, ['fr'])?.name).toBe('default')
    expect(pickLocale([{ locale: 'de', name: 'de' }], ['fr'])?.name).toBe('de')
    expect(pickLocale([], ['fr'])).toBeUndefined()
  })
})
