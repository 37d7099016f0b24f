import { isIPv6 } from 'node:net';

/**
 * The throttling key of a client address. IPv4 (also IPv4-mapped IPv6) is used as is; IPv6 is cut to
 * its /64, since one client usually holds a whole /64 and could otherwise rotate through it.
 */
export function clientAddressKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  return `${first64Bits(ip)}::/64`;
}

function first64Bits(ip: string): string {
  const address = ip.split('%')[0] ?? ip;
  const [head = '', tail] = address.split('::');
  // An embedded IPv4 tail (64:ff9b::1.2.3.4) stands for two groups.
  const groups = (part: string) => (part ? part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group])) : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return all
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':');
}
