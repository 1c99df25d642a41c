import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { isIP, type LookupFunction } from 'node:net'
import { networkInterfaces } from 'node:os'
import ipaddr from 'ipaddr.js'

/**
 * Which addresses an outbound fetch (a did:web document, a webhook) may reach: only global
 * unicast, by ipaddr.js's maintained range names (its `unicast` range: not private, loopback,
 * link-local, carrier-grade NAT, multicast, reserved, documentation, benchmarking, NAT64
 * `64:ff9b::/96`, 6to4 `2002::/16`, Teredo, …); IPv6 only inside `2000::/3` (so no IPv4-compatible
 * `::a.b.c.d` either); IPv4-mapped IPv6 judged as its IPv4 address; and never an address of this
 * machine's own interfaces.
 */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3')

/** This machine's interface addresses, re-read at most every 30 s (interfaces come and go). */
let ownAddresses: { addresses: Set<string>; until: number } | undefined
function isOwnAddress(address: string): boolean {
  if (!ownAddresses || ownAddresses.until < Date.now()) {
    const addresses = new Set<string>()
    for (const entries of Object.values(networkInterfaces())) {
      for (const entry of entries ?? []) addresses.add(ipaddr.parse(entry.address.replace(/%.*$/, '')).toString())
    }
    ownAddresses = { addresses, until: Date.now() + 30_000 }
  }
  return ownAddresses.addresses.has(address)
}

export interface AddressPolicy {
  /** Allow 127.0.0.0/8 and ::1 (tests only). */
  allowLoopback?: boolean
  /** Allow private-network addresses (10/8, 172.16/12, 192.168/16, fc00::/7): development networks only. */
  allowPrivateNetwork?: boolean
}

/** Whether a resolved IP address may be fetched. */
export function isAllowedAddress(address: string, policy: AddressPolicy = {}): boolean {
  if (!ipaddr.isValid(address) || isIP(address) === 0) return false
  let ip = ipaddr.parse(address)
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address()
  const range = ip.range()
  if (range === 'loopback') return policy.allowLoopback === true
  if (range === 'private' || range === 'uniqueLocal')
    return policy.allowPrivateNetwork === true && !isOwnAddress(ip.toString())
  if (range !== 'unicast') return false
  if (ip.kind() === 'ipv6' && !ip.match(GLOBAL_UNICAST_V6)) return false
  return !isOwnAddress(ip.toString())
}

/** The IP literal of a URL's host, when it is one and the policy refuses it (it is connected to without a lookup). */
export function refusedIpLiteral(url: URL, policy: AddressPolicy = {}): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  return isIP(host) && !isAllowedAddress(host, policy) ? host : undefined
}

/**
 * A DNS lookup for `http(s).request` that keeps only the addresses the policy allows, and fails
 * with `refused(hostname)` when none is left. Judging inside the connection's own lookup leaves
 * no gap for DNS rebinding between a check and the connection.
 */
export function guardedLookup(policy: AddressPolicy, refused: (hostname: string) => Error): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0)
      const allowed = addresses.filter((entry) => isAllowedAddress(entry.address, policy))
      const first = allowed[0]
      if (!first) return callback(refused(hostname) as NodeJS.ErrnoException, '', 0)
      // Node asks for every address (happy eyeballs) or for one.
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed)
      callback(null, first.address, first.family)
    })
  }
}
