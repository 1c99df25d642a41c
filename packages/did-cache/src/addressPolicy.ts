import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { BlockList, isIP, type LookupFunction } from 'node:net'

/** Addresses an outbound fetch must never reach: private, link-local, loopback and special ranges. */
const blocked = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4')
}
for (const [network, prefix] of [
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6')
}
const loopback = new BlockList()
loopback.addSubnet('127.0.0.0', 8, 'ipv4')
loopback.addSubnet('::1', 128, 'ipv6')

export interface AddressPolicy {
  /** Allow 127.0.0.0/8 and ::1 (tests only). */
  allowLoopback?: boolean
}

/** Whether a resolved IP address may be fetched. IPv4-mapped IPv6 addresses are judged as IPv4. */
export function isAllowedAddress(address: string, policy: AddressPolicy = {}): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]
  const ip = mapped ?? address
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4'
  if (isIP(ip) === 0) return false
  if (loopback.check(ip, family)) return policy.allowLoopback === true
  return !blocked.check(ip, family)
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
