import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

/**
 * Where Crossdock may POST a partner's webhook: a public address only. A subscription is the
 * partner's to write, so without this any partner could make the gateway call its own loopback
 * (the Odoo connector, PostgreSQL), the tenant's private network or a cloud metadata service.
 * The loopback stays allowed in demo mode, where receivers run on the same machine.
 *
 * The tables follow IANA's IPv4 and IPv6 special-purpose address registries: every block that is
 * not globally reachable is refused, and IPv6 forms that carry an IPv4 address (mapped, NAT64,
 * 6to4) are judged by that IPv4 address. No address parsing library is a dependency, and Node's
 * BlockList cannot say which block matched, so the blocks are matched here.
 */
interface SpecialBlock {
  /** `network/prefix`, as written in the registry. */
  readonly block: string;
  /** What the block is, said in every refusal. */
  readonly name: string;
  /**
   * Refused when absent; `global`: a globally reachable block inside a refused one (listed first);
   * `carried`: judged by the IPv4 address it carries (`carriesAt`).
   */
  readonly verdict?: 'global' | 'carried';
  /** The bit where an IPv4 address carried in this IPv6 block starts; named in its refusal. */
  readonly carriesAt?: number;
  /** Allowed in demo mode: the loopback itself, or (carried) a form that reaches it unchanged. */
  readonly loopback?: true;
}

const IPV4_BLOCKS: readonly SpecialBlock[] = [
  { block: '0.0.0.0/8', name: '"this network" (RFC 791; 0.0.0.0 reaches the local host)' },
  { block: '10.0.0.0/8', name: 'private-use (RFC 1918)' },
  { block: '100.64.0.0/10', name: 'shared address space, carrier-grade NAT (RFC 6598)' },
  { block: '127.0.0.0/8', name: 'loopback (RFC 1122)', loopback: true },
  { block: '169.254.0.0/16', name: 'link-local, cloud metadata services (RFC 3927)' },
  { block: '172.16.0.0/12', name: 'private-use (RFC 1918)' },
  { block: '192.0.0.0/24', name: 'IETF protocol assignments (RFC 6890)' },
  { block: '192.0.2.0/24', name: 'documentation, TEST-NET-1 (RFC 5737)' },
  { block: '192.88.99.0/24', name: '6to4 relay anycast, deprecated (RFC 7526)' },
  { block: '192.168.0.0/16', name: 'private-use (RFC 1918)' },
  { block: '198.18.0.0/15', name: 'benchmarking (RFC 2544)' },
  { block: '198.51.100.0/24', name: 'documentation, TEST-NET-2 (RFC 5737)' },
  { block: '203.0.113.0/24', name: 'documentation, TEST-NET-3 (RFC 5737)' },
  { block: '224.0.0.0/4', name: 'multicast (RFC 5771)' },
  { block: '240.0.0.0/4', name: 'reserved and limited broadcast (RFC 1112, RFC 919)' },
];

const IPV6_BLOCKS: readonly SpecialBlock[] = [
  { block: '::/128', name: 'the unspecified address (RFC 4291)' },
  { block: '::1/128', name: 'loopback (RFC 4291)', loopback: true },
  {
    block: '::ffff:0:0/96',
    name: 'IPv4-mapped (RFC 4291)',
    verdict: 'carried',
    carriesAt: 96,
    loopback: true,
  },
  // Deprecated, but a stack may still route them to the IPv4 address they carry: refused whatever it is.
  { block: '::/96', name: 'IPv4-compatible, deprecated (RFC 4291)', carriesAt: 96 },
  // RFC 6052 §3.1: the well-known prefix never carries a non-global IPv4 address.
  { block: '64:ff9b::/96', name: 'NAT64 well-known prefix (RFC 6052)', verdict: 'carried', carriesAt: 96 },
  { block: '64:ff9b:1::/48', name: 'NAT64 local-use prefix (RFC 8215)' },
  { block: '100::/64', name: 'discard-only (RFC 6666)' },
  { block: '100:0:0:1::/64', name: 'dummy prefix (RFC 9780)' },
  { block: '2001:1::1/128', name: 'Port Control Protocol anycast (RFC 7723)', verdict: 'global' },
  { block: '2001:1::2/128', name: 'TURN anycast (RFC 8155)', verdict: 'global' },
  { block: '2001:1::3/128', name: 'DNS-SD service registration anycast (RFC 9665)', verdict: 'global' },
  { block: '2001:3::/32', name: 'AMT (RFC 7450)', verdict: 'global' },
  { block: '2001:4:112::/48', name: 'AS112-v6 (RFC 7535)', verdict: 'global' },
  { block: '2001:20::/28', name: 'ORCHIDv2 (RFC 7343)', verdict: 'global' },
  { block: '2001:30::/28', name: 'drone remote ID DETs (RFC 9374)', verdict: 'global' },
  // The server and (obfuscated) client IPv4 addresses of a tunnel: nothing a receiver should use.
  { block: '2001::/32', name: 'Teredo tunnelling (RFC 4380)' },
  { block: '2001:2::/48', name: 'benchmarking (RFC 5180)' },
  { block: '2001:10::/28', name: 'ORCHID, deprecated (RFC 4843)' },
  { block: '2001::/23', name: 'IETF protocol assignments (RFC 2928)' },
  { block: '2001:db8::/32', name: 'documentation (RFC 3849)' },
  { block: '2002::/16', name: '6to4 (RFC 3056)', verdict: 'carried', carriesAt: 16 },
  { block: '3fff::/20', name: 'documentation (RFC 9637)' },
  { block: '5f00::/16', name: 'segment routing SIDs (RFC 9602)' },
  { block: 'fc00::/7', name: 'unique local (RFC 4193)' },
  { block: 'fe80::/10', name: 'link-local (RFC 4291)' },
  { block: 'fec0::/10', name: 'site-local, deprecated (RFC 3879)' },
  { block: 'ff00::/8', name: 'multicast (RFC 4291)' },
  // IANA hands out global unicast from 2000::/3 only; the rest is reserved by the IETF.
  { block: '2000::/3', name: 'global unicast', verdict: 'global' },
  { block: '::/0', name: 'outside the global unicast space 2000::/3, reserved by the IETF (RFC 4291)' },
];

interface Matcher extends SpecialBlock {
  readonly network: bigint;
  readonly mask: bigint;
}

function matchers(blocks: readonly SpecialBlock[], bits: number): Matcher[] {
  return blocks.map((b) => {
    const [network, prefix] = b.block.split('/') as [string, string];
    const mask = ((1n << BigInt(prefix)) - 1n) << BigInt(bits - Number(prefix));
    return { ...b, network: toBigInt(network)! & mask, mask };
  });
}

/** An IPv4 or IPv6 address (zone and brackets removed) as a number, undefined if it is none. */
function toBigInt(address: string): bigint | undefined {
  const family = isIP(address);
  if (family === 4) return address.split('.').reduce((n, octet) => (n << 8n) | BigInt(octet), 0n);
  if (family !== 6) return undefined;
  let text = address;
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = Number(toBigInt(dotted[2]!));
    text = `${dotted[1]}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.reduce((n, group) => (n << 16n) | BigInt(parseInt(group, 16)), 0n);
}

const IPV4 = matchers(IPV4_BLOCKS, 32);
const IPV6 = matchers(IPV6_BLOCKS, 128);

function dottedQuad(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((n >> shift) & 255n)).join('.');
}

/** Why this address (as a number) is refused: the block's name, and what it carries if anything. */
function refusal(value: bigint, table: readonly Matcher[], allowLoopback: boolean): string | undefined {
  const found = table.find((m) => (value & m.mask) === m.network);
  if (!found || found.verdict === 'global') return undefined;
  const ipv4 =
    found.carriesAt === undefined ? undefined : (value >> BigInt(96 - found.carriesAt)) & 0xffffffffn;
  if (ipv4 === undefined) return allowLoopback && found.loopback ? undefined : found.name;
  if (found.verdict !== 'carried') return `${found.name}, carrying ${dottedQuad(ipv4)}`;
  const carried = refusal(ipv4, IPV4, allowLoopback && found.loopback === true);
  return carried === undefined ? undefined : `${found.name} of ${dottedQuad(ipv4)}, ${carried}`;
}

/** Why Crossdock must not connect to this IP address (named), or undefined when it may. */
export function refusedAddress(address: string, allowLoopback: boolean): string | undefined {
  const plain = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const value = toBigInt(plain);
  if (value === undefined) return `${address} is not an IP address`;
  const why = refusal(value, isIP(plain) === 4 ? IPV4 : IPV6, allowLoopback);
  return why === undefined
    ? undefined
    : `${address} is a private, loopback, link-local or reserved address: ${why}`;
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
