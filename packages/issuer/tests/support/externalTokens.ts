import { randomUUID } from 'node:crypto'
import type { startService } from '@attesto/testing'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import type { IssuerRuntime } from '../../src/app.js'

type Service = Awaited<ReturnType<typeof startService<IssuerRuntime>>>

/**
 * Two issuers in the tenant of `key`, each with a `card` configuration: one taking the access
 * tokens of `https://login.fuzz.example` (its key given in the configuration), with one such
 * token; one whose authorization server configuration is left to be fuzzed.
 */
export async function externalServerIssuer(service: Service, key: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'fuzz' }
  const [issuerId, fuzzedIssuerId] = await Promise.all(
    [0, 1].map(async () => {
      const id = (await service.call('POST', '/issuers', key, {})).body.issuerId as string
      await service.call('PUT', `/issuers/${id}/credential-configurations/card`, key, {
        vct: 'urn:attesto:test:card',
        claims: [{ name: 'name', type: 'string', required: true }],
      })
      return id
    }),
  )
  const set = await service.call('PUT', `/issuers/${issuerId}/authorization-server`, key, {
    issuer: 'https://login.fuzz.example',
    jwks: { keys: [jwk] },
    claimsSources: { '*': { type: 'access_token', mapping: { name: 'name' } } },
  })
  if (set.status !== 201) throw new Error(`authorization server: ${JSON.stringify(set.body)}`)
  const token = await new SignJWT({ scope: 'card', name: 'A', jti: randomUUID() })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'fuzz' })
    .setIssuer('https://login.fuzz.example')
    .setAudience(`${service.http.url}/oid4vci/${issuerId}`)
    .setSubject('fuzz')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(privateKey)
  return { issuerId: issuerId as string, fuzzedIssuerId: fuzzedIssuerId as string, token }
}
