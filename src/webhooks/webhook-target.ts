import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Where Crossdock may POST a partner's webhook: a public address only. A subscription is the
 * partner's to write, so without this any partner could make the gateway call its own loopback
 * (the Odoo connector, PostgreSQL), the tenant's private network or a cloud metadata service.
 * The loopback stays allowed in demo mode, where receivers run on the same machine.
 */
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this" network; 0.0.0.0 reaches the local host
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved and broadcast
] as const)
  PRIVATE.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64: would reach any IPv4 address, private ones included
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  PRIVATE.addSubnet(network, prefix, 'ipv6');

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** An IPv4 address carried in IPv6 (::ffff:a.b.c.d, also as ::ffff:hhhh:hhhh), as IPv4. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const lower = address.toLowerCase().replace(/^\[|\]$/g, '');
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return { address: dotted[1]!, family: 'ipv4' };
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const high = parseInt(hex[1]!, 16);
    const low = parseInt(hex[2]!, 16);
    return { address: [high >> 8, high & 255, low >> 8, low & 255].join('.'), family: 'ipv4' };
  }
  return { address: lower, family: isIP(lower) === 4 ? 'ipv4' : 'ipv6' };
}

/** Why Crossdock must not connect to this IP address, or undefined when it may. */
export function refusedAddress(address: string, allowLoopback: boolean): string | undefined {
  const { address: ip, family } = unmapped(address);
  if (allowLoopback && LOOPBACK.check(ip, family)) return undefined;
  return PRIVATE.check(ip, family)
    ? `${address} is a private, loopback, link-local or reserved address`
    : undefined;
}

/**
 * Why a subscription URL is refused, or undefined. Literal addresses and `localhost` names are
 * judged here; names are resolved again at each delivery (see `guardedLookup`).
 */
export function refusedTarget(url: string, allowLoopback: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.username !== '' || parsed.password !== '')
    return 'must not carry credentials (user:password@); the signature authenticates Crossdock';
  // WHATWG URL parsing already turned 0x7f000001, 2130706433 or 127.1 into 127.0.0.1.
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) {
    const refused = refusedAddress(host, allowLoopback);
    return refused ? `must reach a public address: ${refused}` : undefined;
  }
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost'))
    return allowLoopback ? undefined : 'must reach a public address: localhost is the gateway itself';
  return undefined;
}

/**
 * A `lookup` for http(s).request that resolves the name and refuses it when any of its addresses
 * is not public; the connection then goes to the address checked here, so a name that resolves
 * differently the second time (DNS rebinding) cannot slip through.
 */
export function guardedLookup(allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.map((a) => refusedAddress(a.address, allowLoopback)).find(Boolean);
      if (refused || addresses.length === 0) {
        const failure = Object.assign(
          new Error(`webhook host ${hostname} refused: ${refused ?? 'no address'}`),
          { code: 'EWEBHOOKTARGET' },
        );
        return callback(failure, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
