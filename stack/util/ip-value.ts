// An IP address's value as a number: IPv4 as 32 bits, IPv6 as 128 (with an embedded dotted
// IPv4 tail, `::ffff:1.2.3.4`, read as its last 32 bits). The text must already be a valid
// address of that family (net.isIPv4 / isIPv6).

export function parseV4(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

export function parseV6(text: string): bigint {
  let head = text;
  let tail4: bigint | undefined;
  const lastColon = head.lastIndexOf(':');
  if (head.includes('.')) {
    tail4 = parseV4(head.slice(lastColon + 1));
    head = `${head.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::') as [string, string | undefined];
  const leftGroups = left ? left.split(':') : [];
  const rightGroups = right === undefined ? [] : right ? right.split(':') : [];
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups = [
    ...leftGroups,
    ...Array<string>(right === undefined ? 0 : missing).fill('0'),
    ...rightGroups,
  ];
  let value = groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
  if (tail4 !== undefined) value = (value & ~0xffffffffn) | tail4;
  return value;
}

/** The 16 bytes of an IPv6 address, network order (an X.509 iPAddress). */
export function ipv6Bytes(text: string): Buffer {
  const out = Buffer.alloc(16);
  let v = parseV6(text);
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
