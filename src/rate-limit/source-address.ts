import { isIPv4, isIPv6 } from 'node:net';

/**
 * The source a rate limit or login throttle counts an address as. IPv4 counts per address; IPv6
 * per /64, the usual allocation of one customer, who could otherwise draw a fresh budget from each
 * of its 2^64 addresses; an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is its IPv4. Anything else
 * (not an address) counts as given.
 */
export function rateLimitSource(ip: string): string {
  if (isIPv4(ip)) return ip;
  const groups = ipv6Groups(ip);
  if (!groups) return ip;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi, lo] = [groups[6]!, groups[7]!];
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped), or undefined if it is not one. */
function ipv6Groups(ip: string): number[] | undefined {
  const address = ip.split('%', 1)[0]!;
  if (!isIPv6(address)) return undefined;
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const part = (s: string | undefined): number[] => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = part(head);
  const right = part(tail);
  const zeros = tail === undefined ? [] : Array.from({ length: 8 - left.length - right.length }, () => 0);
  const groups = [...left, ...zeros, ...right];
  return groups.length === 8 ? groups : undefined;
}
