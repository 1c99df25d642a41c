import { networkInterfaces } from 'node:os'
import { isAllowedAddress } from '../addressPolicy.js'

describe('isAllowedAddress (SSRF guard for did:web)', () => {
  it.each([
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    '::',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '::7f00:1', // IPv4-compatible 127.0.0.1
    '::a00:1',
    '64:ff9b::a00:1', // NAT64 of 10.0.0.1
    '64:ff9b::808:808', // NAT64, whatever it embeds
    '2002:a00:1::1', // 6to4 of 10.0.0.1
    '2001:0:a00:1::1', // Teredo
    '2001:db8::1', // documentation
    '192.0.2.1',
    '198.51.100.7',
    '255.255.255.255',
    'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isAllowedAddress(address)).toBe(false)
    expect(isAllowedAddress(address, { allowLoopback: true })).toBe(false)
  })

  it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])('refuses loopback %s unless allowed', (address) => {
    expect(isAllowedAddress(address)).toBe(false)
    expect(isAllowedAddress(address, { allowLoopback: true })).toBe(true)
  })

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111'])('allows public %s', (address) => {
    expect(isAllowedAddress(address)).toBe(true)
  })

  it("refuses this machine's own interface addresses", () => {
    const own = Object.values(networkInterfaces())
      .flat()
      .filter((entry) => entry && !entry.internal)
      .map((entry) => entry?.address.replace(/%.*$/, '') as string)
    for (const address of own) expect(isAllowedAddress(address, { allowLoopback: true })).toBe(false)
  })
})
