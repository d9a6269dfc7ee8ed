// IPv4 / IPv6 addresses and CIDR blocks for IpAddress / NotIpAddress (aws:SourceIp).
// An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, what Node reports on dual-stack sockets)
// is the IPv4 address it maps, so `127.0.0.0/8` matches it as it would on AWS.
import { isIPv4, isIPv6 } from 'node:net';
import { parseV4, parseV6 } from '../../util/ip-value.ts';

export interface IpAddressValue {
  family: 4 | 6;
  value: bigint;
}

export interface Cidr extends IpAddressValue {
  prefix: number;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** Parses an address; returns undefined when it is not one. */
export function parseIp(text: string): IpAddressValue | undefined {
  const trimmed = text.trim();
  if (isIPv4(trimmed)) return { family: 4, value: parseV4(trimmed) };
  const bare = trimmed.replace(/%.*$/, '');
  if (isIPv6(bare)) {
    const value = parseV6(bare);
    if (value >> 32n === 0xffffn && (value & ~0xffffffffn) === MAPPED_PREFIX) {
      return { family: 4, value: value & 0xffffffffn };
    }
    return { family: 6, value };
  }
  return undefined;
}

/** Parses `addr` or `addr/prefix`; a bare address is a /32 (/128). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (!address) return undefined;
  const max = address.family === 4 ? 32 : 128;
  if (slash === -1) return { ...address, prefix: max };
  const prefixText = text.slice(slash + 1).trim();
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > max) return undefined;
  return { ...address, prefix };
}

export function cidrContains(cidr: Cidr, address: IpAddressValue): boolean {
  if (cidr.family !== address.family) return false;
  const bits = BigInt(cidr.family === 4 ? 32 : 128);
  const shift = bits - BigInt(cidr.prefix);
  return cidr.value >> shift === address.value >> shift;
}
