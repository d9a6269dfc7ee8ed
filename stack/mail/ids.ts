import { randomBytes } from 'node:crypto';

// Mailpit's ids are 22-character short UUIDs (base57 of 128 random bits); ours have the same
// alphabet and length so tools that validate or display them treat ours alike.
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const LENGTH = 22;

export function newMessageId(): string {
  let n = BigInt(`0x${randomBytes(16).toString('hex')}`);
  const base = BigInt(ALPHABET.length);
  let out = '';
  for (let i = 0; i < LENGTH; i++) {
    out += ALPHABET[Number(n % base)];
    n /= base;
  }
  return out;
}

/** Ids are interpolated into file names and URLs: only our own alphabet is ever accepted back. */
export function isMessageId(value: string): boolean {
  return value.length === LENGTH && [...value].every((c) => ALPHABET.includes(c));
}
