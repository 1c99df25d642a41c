import { describe, expect, it } from '@jest/globals'
import { mergeOpenApiPaths } from '../mergeOpenApiPaths.js'

const answer = (description: string) => ({ responses: { '200': { description } } })

describe('mergeOpenApiPaths', () => {
  it('joins the operations given for one path into its path item, and keeps the other paths', () => {
    const merged = mergeOpenApiPaths(
      { '/offers': { post: answer('created') }, '/offers/{offerId}': { get: answer('one') } },
      { '/offers': { get: answer('listed') } },
    )
    expect(Object.keys(merged)).toEqual(['/offers', '/offers/{offerId}'])
    expect(merged['/offers']).toEqual({ post: answer('created'), get: answer('listed') })
  })

  it('refuses an operation given twice instead of keeping one of them', () => {
    expect(() =>
      mergeOpenApiPaths({ '/webhooks': { get: answer('all') } }, { '/webhooks': { get: answer('paged') } }),
    ).toThrow('get /webhooks is described twice')
  })
})
