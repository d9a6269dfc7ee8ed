// HTML → text, snippets, tags and header unfolding as Mailpit does them, without sockets. The
// expected values are what Mailpit v1.27.11 answered for the same HTML (snippet, search).
import { describe, expect, it } from 'vitest';
import { headerValue } from '../../stack/mail/parse/header-value.ts';
import { decodeEntities } from '../../stack/mail/parse/html-entities.ts';
import { stripHtml } from '../../stack/mail/parse/html-text.ts';
import { createSnippet, truncateUtf8 } from '../../stack/mail/parse/snippet.ts';
import {
  cleanTag,
  messageTags,
  plusAddressTags,
  sortedUniqueTags,
  tagCounts,
} from '../../stack/mail/parse/tags.ts';

describe('stripHtml', () => {
  it('joins inline elements: a one-time code laid out one digit per span reads as one number', () => {
    const { text } = stripHtml(
      '<p>Your code: <span>4</span><span>8</span><span>2</span></p><p><a href="https://app.focusmate.com/verify?c=1&amp;d=2">Verify</a></p>',
    );
    expect(text).toBe('Your code: 482 Verify');
    expect(
      stripHtml('<p>inline <b>bo</b>ld and <i>it</i>alic<span> spaced</span></p>\n<p>next</p>').text,
    ).toBe('inline bold and italic spaced next');
  });

  it('spaces exactly where Mailpit does: </block><, <br>, <br />, before <img>', () => {
    expect(
      stripHtml(
        '<div>a</div>b<p>c</p>d<br/>e<br>f<br />g<div>h<div>i</div></div><td>j</td><td>k</td> <tr><td>l</td></tr><tr><td>m</td></tr><li>n</li><li>o</li>p<img src="x.png" alt="ALT">q<hr>r<h1>s</h1>t',
      ).text,
    ).toBe('abcde f ghi j k l m n op qrst');
  });

  it('drops script, style, title, noscript and comments; decodes character references', () => {
    expect(
      stripHtml(
        '<html><head><title>TITLE</title><style>.x{}</style></head><body>A&nbsp;B &copy; &hellip; &amp;amp; &#x41; &lt;tag&gt; x<y 1 < 2<script>alert(1)</script><noscript>NS</noscript><!-- comment -->C</body></html>',
      ).text,
    ).toBe('A B © … &amp; A <tag> xalert(1)C');
    expect(stripHtml('third &shy;x&zwnj;y &euro;5 a&nbsp;&nbsp;b<!-->z<!--->').text).toBe(
      'third x y €5 a bz',
    );
    expect(stripHtml('<p title="a > b">kept</p><!DOCTYPE html>1 < 2 </>').text).toBe('kept 1 < 2');
    expect(stripHtml('<p title="a > b">kept</p>x').text).toBe('keptx');
  });

  it('searchable text carries each http(s) link target before its text, nothing else', () => {
    const html =
      '<a href="HTTP://UPPER.example.com/x">up</a><a href="mailto:m@example.com">mail</a><a href=\'https://single.example.com\'>s</a><a href=https://bare.example.com/y>b</a><a title="x" href="/rel">rel</a>';
    const { text, searchable } = stripHtml(html);
    expect(text).toBe('upmailsbrel');
    expect(searchable).toBe(
      'HTTP://UPPER.example.com/x upmail https://single.example.com s https://bare.example.com/y brel',
    );
    expect(stripHtml('<a href="https://x.test/?a=1&amp;b=2">go</a>').searchable).toBe(
      'https://x.test/?a=1&b=2 go',
    );
  });

  it('an unterminated tag or raw-text element ends the text', () => {
    expect(stripHtml('ok <a href="x').text).toBe('ok');
    expect(stripHtml('ok <script>never closed').text).toBe('ok');
    expect(stripHtml('<textarea>a <b> c</textarea>d').text).toBe('a <b> cd');
  });
});

describe('decodeEntities', () => {
  it('numeric (C1 as Windows-1252), named, accented letters; unknown names stay', () => {
    expect(decodeEntities('&#8364;&#x20AC;&#128;&eacute;&Uuml;&ntilde;&bogus;&amp')).toBe(
      '€€€éÜñ&bogus;&amp',
    );
  });
});

describe('createSnippet', () => {
  it('the HTML text when there is an HTML body, even when it is empty; else the text on one line', () => {
    expect(createSnippet('text body here', '<img src="cid:x">')).toBe('');
    expect(createSnippet('a\r\n\tb  c', '')).toBe('a b c');
    expect(createSnippet('', '')).toBe('');
  });

  it('at most 200 bytes of UTF-8, cut on a character, then "..."', () => {
    const korean = '가나다라마바사아자차카타파하'.repeat(20);
    expect(createSnippet('', `<p>${korean}</p>`)).toBe(`${korean.slice(0, 66)}...`);
    expect(createSnippet('word '.repeat(60), '')).toBe(`${'word '.repeat(40)}...`);
    expect(createSnippet('x'.repeat(200), '')).toBe('x'.repeat(200));
    expect(createSnippet(`${' '.repeat(3000)}${'word '.repeat(100)}`, '')).toBe(`${'word '.repeat(40)}...`);
    expect(truncateUtf8('a😀b', 4)).toBe('a');
    expect(truncateUtf8('a😀b', 5)).toBe('a😀');
  });
});

describe('createSnippet on long text bodies (read in prefixes)', () => {
  // The whole body on one line, then cut: what the prefix reading must always agree with.
  const reference = (text: string) => {
    const line = text.replace(/[\uFEFF\t\n\f\r ]+/g, ' ').trim();
    return Buffer.byteLength(line) <= 200 ? line : `${truncateUtf8(line, 200)}...`;
  };
  it('agrees with cutting the whole body, around every prefix boundary', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pieces = ['word', ' ', '\r\n', '\t\t', '가나', '😀', '\uFEFF', 'x'];
    for (let run = 0; run < 300; run++) {
      let text = '';
      const length = Math.floor(random() * 3000);
      while (text.length < length)
        text += pieces[Math.floor(random() * pieces.length)]!.repeat(1 + Math.floor(random() * 40));
      expect(createSnippet(text, '')).toBe(reference(text));
    }
  });
});

describe('tags', () => {
  it('plus-address tags: between the first + and the @, split on +', () => {
    expect(plusAddressTags('Leader+T42@example.com')).toEqual(['T42']);
    expect(plusAddressTags('x+a+b@example.com')).toEqual(['a', 'b']);
    expect(plusAddressTags('+lead@example.com')).toEqual(['lead']);
    expect(plusAddressTags('e+@example.com')).toEqual(['']);
    expect(plusAddressTags('a@b+c.example.com')).toEqual([]);
    expect(plusAddressTags('plain@example.com')).toEqual([]);
  });

  it('cleaned, case kept, first spelling wins, sorted ignoring case (as Mailpit answered)', () => {
    expect(cleanTag(' bad!char  x ')).toBe('bad char x');
    expect(
      messageTags({
        xTags: ['Foo, foo , weird!tag, a'],
        addresses: [
          { name: '', address: 'noreply+F1@focusmate.com' },
          { name: '', address: 'Leader+T42@example.com' },
          { name: '', address: 'x+a+b@example.com' },
          { name: '', address: 'y+ab@example.com' },
          { name: '', address: 'c+cc.x@example.com' },
          { name: '', address: 'd+bad!char@example.com' },
          { name: '', address: 'e+@example.com' },
          { name: '', address: '+lead@example.com' },
          { name: '', address: 'hidden+bcc1@example.com' },
          null,
        ],
      }),
    ).toEqual(['a', 'ab', 'b', 'bad char', 'bcc1', 'cc.x', 'F1', 'Foo', 'lead', 'T42', 'weird tag']);
    expect(sortedUniqueTags(['b', 'B', 'A', '', ' ! '])).toEqual(['A', 'b']);
  });

  it('counts across messages under the first spelling', () => {
    expect([...tagCounts([['Zed'], ['zed', '42'], ['b-2']])]).toEqual([
      ['42', 1],
      ['b-2', 1],
      ['Zed', 2],
    ]);
  });
});

describe('headerValue', () => {
  it('unfolds (RFC 5322 §2.2.3): each line trimmed, joined by one space', () => {
    expect(
      headerValue('List-Unsubscribe: <https://focusmate.com/unsub?u=1>,\r\n <mailto:unsub@focusmate.com>'),
    ).toBe('<https://focusmate.com/unsub?u=1>, <mailto:unsub@focusmate.com>');
    expect(headerValue('X-Folded: first\n\tsecond  ')).toBe('first second');
  });
});
