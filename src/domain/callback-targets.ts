/**
 * Where vendcloud may send a callback (docs/callbacks.md, "Where callbacks may go"): http and
 * https only, and never to an address inside the platform's own networks, so a merchant
 * cannot make the server call its metadata service, its database or its neighbours (SSRF).
 * The sender checks the address it resolved and connects to exactly that address; this file
 * only says which addresses and URLs are refused. Pure: node:net's BlockList is arithmetic.
 */
import { BlockList, isIP } from 'node:net';

const REFUSED_V4: Array<[string, number, string]> = [
  ['0.0.0.0', 8, 'this network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared (CGNAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const REFUSED_V6: Array<[string, number, string]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b::', 96, 'NAT64'],
  ['64:ff9b:1::', 48, 'NAT64'],
  ['100::', 64, 'discard'],
  ['2001:db8::', 32, 'documentation'],
  ['2002::', 16, '6to4'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

const ranges = new Map<string, BlockList>();
for (const [network, prefix, reason] of [...REFUSED_V4.map((r) => [...r, 'ipv4'] as const), ...REFUSED_V6.map((r) => [...r, 'ipv6'] as const)]) {
  const list = ranges.get(reason) ?? new BlockList();
  list.addSubnet(network, prefix, isIP(network) === 4 ? 'ipv4' : 'ipv6');
  ranges.set(reason, list);
}

/** An IPv4 address carried in IPv6 (::ffff:a.b.c.d, ::a.b.c.d, and the hex forms), or undefined. */
function embeddedV4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^::(ffff:(0{1,4}:)?)?([0-9]+\.[0-9]+\.[0-9]+\.[0-9]+)$/.exec(lower);
  if (dotted) return dotted[3];
  const hex = /^::(ffff:(0{1,4}:)?)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const high = parseInt(hex[3]!, 16);
  const low = parseInt(hex[4]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Why a callback may not go to this IP address, or undefined when it may. Not an IP: refused. */
export function refusedAddress(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return 'not an IP address';
  if (family === 6) {
    const v4 = embeddedV4(bare);
    if (v4 !== undefined) return refusedAddress(v4);
  }
  for (const [reason, list] of ranges) if (list.check(bare, family === 4 ? 'ipv4' : 'ipv6')) return reason;
  return undefined;
}

/**
 * Why this URL cannot be a callback target, or undefined. Cheap checks only (no DNS): the
 * scheme, credentials in the URL, and a literal private address unless private targets are allowed.
 */
export function refusedCallbackUrl(text: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'only http and https';
  if (url.username || url.password) return 'no credentials in the URL';
  if (allowPrivate) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  return isIP(host) === 0 ? undefined : refusedAddress(host);
}
