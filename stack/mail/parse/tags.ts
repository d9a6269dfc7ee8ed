// Message tags as Mailpit sets them on arrival (internal/storage/tags.go, internal/tools/tags.go):
// the X-Tags header's comma-separated values and every plus-address tag of the From, To, Cc and
// Bcc addresses (leader+t42@example.com → t42; a+b+c@… → b and c). Each is cleaned (characters
// other than letters, digits, '-', '_', '.' and space become spaces), kept in its own case,
// de-duplicated without regard to case (the first spelling wins) and sorted without regard to case.
import type { MailAddress } from '../store/types.ts';

export function cleanTag(tag: string): string {
  return tag
    .replace(/[^a-zA-Z0-9\- _.]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Mailpit's `(?U)^(.*){1,}\+(.*)@`: what lies between the first '+' and the first '@' after it, split on '+'. */
export function plusAddressTags(address: string): string[] {
  const plus = address.indexOf('+');
  if (plus < 0) return [];
  const at = address.indexOf('@', plus + 1);
  if (at < 0) return [];
  return address.slice(plus + 1, at).split('+');
}

const byLowerCase = (a: string, b: string) => {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
};

/** Cleaned, without empties or case-insensitive repeats (first spelling wins), sorted ignoring case. */
export function sortedUniqueTags(tags: Iterable<string>): string[] {
  const seen = new Map<string, string>();
  for (const raw of tags) {
    const tag = cleanTag(raw);
    if (tag && !seen.has(tag.toLowerCase())) seen.set(tag.toLowerCase(), tag);
  }
  return [...seen.values()].sort(byLowerCase);
}

export function messageTags(input: { xTags: string[]; addresses: (MailAddress | null)[] }): string[] {
  const tags = input.xTags.flatMap((v) => v.split(','));
  for (const a of input.addresses) if (a) tags.push(...plusAddressTags(a.address));
  return sortedUniqueTags(tags);
}

/**
 * Tags across messages given oldest first, with how many messages carry each. Mailpit keeps one
 * tag per name ignoring case, so the spelling first seen names it; sorted ignoring case.
 */
export function tagCounts(tagLists: Iterable<string[]>): Map<string, number> {
  const spelling = new Map<string, string>();
  const counts = new Map<string, number>();
  for (const tags of tagLists) {
    for (const tag of tags) {
      const key = tag.toLowerCase();
      if (!spelling.has(key)) spelling.set(key, tag);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const names = [...spelling.values()].sort(byLowerCase);
  return new Map(names.map((name) => [name, counts.get(name.toLowerCase())!]));
}
