// Mailpit's search language over summaries, without sockets.
import { describe, expect, it } from 'vitest';
import { cleanString, compileQuery, sizeToBytes, splitTerms } from '../../stack/mail/search/query.ts';
import type { MessageSummary } from '../../stack/mail/store/types.ts';

function msg(over: Partial<MessageSummary>): MessageSummary {
  return {
    id: 'x',
    seq: 1,
    created: '2026-01-15T10:00:00.000Z',
    messageId: 'abc@host',
    subject: '',
    date: '',
    from: { name: 'Focus Mate', address: 'noreply@focusmate.com' },
    to: [],
    cc: [],
    bcc: [],
    replyTo: [],
    returnPath: '',
    size: 1000,
    attachments: [],
    snippet: '',
    tags: [],
    scopes: [],
    read: false,
    session: {} as MessageSummary['session'],
    searchText: '',
    ...over,
  };
}

describe('splitTerms', () => {
  it('keeps quoted phrases together and drops the quotes', () => {
    expect(splitTerms('subject:"hello world" -is:read  plain')).toEqual([
      'subject:hello world',
      '-is:read',
      'plain',
    ]);
  });
});

describe('compileQuery', () => {
  const a = msg({
    subject: 'Team Invitation',
    to: [{ name: 'Leader', address: 'leader@example.com' }],
    searchText: 'you are invited 팀 초대',
  });
  const b = msg({
    subject: 'Other',
    read: true,
    size: 300_000,
    tags: ['Backups'],
    created: '2026-03-01T00:00:00.000Z',
  });
  const run = (q: string) => [a, b].filter(compileQuery(q)).map((m) => m.subject);

  it('keywords and free text, case-insensitive substring', () => {
    expect(run('to:LEADER')).toEqual(['Team Invitation']);
    expect(run('to:"leader@example"')).toEqual(['Team Invitation']);
    expect(run('subject:invit')).toEqual(['Team Invitation']);
    expect(run('from:focus')).toEqual(['Team Invitation', 'Other']);
    expect(run('INVITED')).toEqual(['Team Invitation']);
    expect(run('초대')).toEqual(['Team Invitation']);
    expect(run('message-id:abc')).toHaveLength(2);
    expect(run('tag:backups')).toEqual(['Other']);
  });

  it('is:, larger:, smaller:, before:, after: and negation with - or !', () => {
    expect(run('is:read')).toEqual(['Other']);
    expect(run('!is:read')).toEqual(['Team Invitation']);
    expect(run('is:unread')).toEqual(['Team Invitation']);
    expect(run('larger:200k')).toEqual(['Other']);
    expect(run('-larger:200k')).toEqual(['Team Invitation']);
    expect(run('smaller:1.5kb')).toEqual(['Team Invitation']);
    expect(run('after:2026-02-01')).toEqual(['Other']);
    expect(run('before:2026-02-01')).toEqual(['Team Invitation']);
    expect(run('-subject:other')).toEqual(['Team Invitation']);
  });

  it('ignores terms Mailpit ignores', () => {
    // Nothing left after cleanString (separators only), or a date that does not parse.
    expect(run('<> ; after:notadate')).toHaveLength(2);
    // Like Mailpit, a larger: without a valid size is searched as free text.
    expect(run('larger:huge')).toHaveLength(0);
    expect(run('')).toHaveLength(2);
  });

  it('searches a term of punctuation alone, as Mailpit v1.27.11 does', () => {
    const c = msg({ subject: 'dots', searchText: 'plain © text ... done' });
    const find = (q: string) => [a, b, c].filter(compileQuery(q)).map((m) => m.subject);
    expect(find('...')).toEqual(['dots']);
    expect(find('©')).toEqual(['dots']);
    expect(find('-')).toEqual([]);
    expect(find('!!!')).toEqual(['Team Invitation', 'Other', 'dots']);
  });

  it('sizeToBytes', () => {
    expect(sizeToBytes('2kb')).toBe(2048);
    expect(sizeToBytes('1.5m')).toBe(1572864);
    expect(sizeToBytes('10')).toBe(10);
    expect(sizeToBytes('3gb')).toBe(0);
  });
});

describe('cleanString', () => {
  it('is Mailpit’s: separators and whitespace runs one space, trimmed, lower case', () => {
    const reference = (s: string) =>
      s
        .replace(/\uFEFF/g, ' ')
        .replace(/\r?\n|\t|>|<|"|,|;|\(|\)/g, ' ')
        .split(/[\s\u0085]+/)
        .filter(Boolean)
        .join(' ')
        .toLowerCase();
    const samples = [
      '  Focus Mate <noreply@focusmate.com>, "Leader" (x);y\r\n\tz  ',
      'a , b',
      'one two',
      ' lead',
      'tail ',
      '\uFEFFbom\u00a0nbsp\u0085nel',
      'A  B   C',
      '',
      ' ',
      '<>',
    ];
    for (const s of samples) expect(cleanString(s), JSON.stringify(s)).toBe(reference(s));
  });
});
