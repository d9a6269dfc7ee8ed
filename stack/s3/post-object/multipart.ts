// A streaming multipart/form-data reader (RFC 7578 over RFC 2046 §5.1). Part headers and
// small field values are buffered; a part's content can also be pulled piece by piece, in
// which case no more than one source chunk plus a delimiter's length is held at a time.
import type { ChunkSource } from './chunk-source.ts';
import { parseHeaderParams } from './header-params.ts';
import { malformed } from './post-errors.ts';

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_BOUNDARY = 200;

export interface PartHeader {
  /** The `name` parameter of a `form-data` disposition; undefined for any other part. */
  name?: string;
  /** The `filename` parameter as sent, when present. */
  filename?: string;
  contentType?: string;
}

export class MultipartReader {
  #source: ChunkSource;
  #delimiter: Buffer;
  // Unread bytes are #buf[#pos..]. A virtual CRLF before the body lets the first
  // `--boundary` match the same delimiter as every later one.
  #buf: Buffer = CRLF;
  #pos = 0;
  #eof = false;
  #consumed = -CRLF.length;
  #peak = 0;
  #started = false;
  #inPart = false;
  #finished = false;

  constructor(source: ChunkSource, boundary: string) {
    if (boundary === '' || boundary.length > MAX_BOUNDARY) throw malformed();
    this.#source = source;
    this.#delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  }

  /** Bytes of the body consumed so far (delimiters, headers and content). */
  get consumed(): number {
    return this.#consumed;
  }

  /** The most bytes ever held in the reader's buffer: the proof that files are not buffered. */
  get peakBuffered(): number {
    return this.#peak;
  }

  async #fill(): Promise<boolean> {
    if (this.#eof) return false;
    const chunk = await this.#source.next();
    if (chunk === null) {
      this.#eof = true;
      return false;
    }
    const rest = this.#buf.subarray(this.#pos);
    this.#buf = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    this.#pos = 0;
    if (this.#buf.length > this.#peak) this.#peak = this.#buf.length;
    return true;
  }

  #advance(n: number): void {
    this.#pos += n;
    this.#consumed += n;
  }

  /** Ensures `n` unread bytes are buffered, unless the body ends first. */
  async #need(n: number): Promise<boolean> {
    while (this.#buf.length - this.#pos < n) if (!(await this.#fill())) return false;
    return true;
  }

  /**
   * Moves to the next part and returns its headers, or null at the close delimiter. Content
   * of the current part that was not read is skipped. `limit` bounds the total bytes consumed
   * (the caller's budget for the form fields); crossing it calls `onLimit`, which throws.
   */
  async nextPart(limit: number, onLimit: () => never): Promise<PartHeader | null> {
    if (this.#finished) return null;
    if (!this.#started) {
      // The preamble, up to and including the first delimiter, is ignored.
      this.#started = true;
      while ((await this.readContent(limit, onLimit)) !== null);
    } else if (this.#inPart) {
      while ((await this.readContent(limit, onLimit)) !== null);
    }
    // After a delimiter: `--` closes, otherwise optional padding then CRLF.
    if (!(await this.#need(2))) throw malformed();
    if (this.#buf[this.#pos] === 0x2d && this.#buf[this.#pos + 1] === 0x2d) {
      this.#finished = true;
      return null;
    }
    for (;;) {
      if (!(await this.#need(2))) throw malformed();
      const b = this.#buf[this.#pos];
      if (b === 0x20 || b === 0x09) this.#advance(1);
      else if (b === 0x0d && this.#buf[this.#pos + 1] === 0x0a) break;
      else throw malformed();
    }
    // Headers end at an empty line; the CRLF that ended the delimiter line starts the search.
    let end: number;
    for (;;) {
      end = this.#buf.indexOf(HEADER_END, this.#pos);
      if (end >= 0) break;
      if (this.#consumed + (this.#buf.length - this.#pos) > limit) onLimit();
      if (!(await this.#fill())) throw malformed();
    }
    const block = this.#buf.subarray(this.#pos + 2, end).toString('utf8');
    this.#advance(end + HEADER_END.length - this.#pos);
    if (this.#consumed > limit) onLimit();
    this.#inPart = true;
    return parsePartHeaders(block);
  }

  /**
   * The next piece of the current part's content, or null when the part ends (its delimiter
   * is consumed). A body that ends inside a part is MalformedPOSTRequest.
   */
  async readContent(limit = Number.POSITIVE_INFINITY, onLimit?: () => never): Promise<Buffer | null> {
    const d = this.#delimiter;
    for (;;) {
      const at = this.#buf.indexOf(d, this.#pos);
      if (at >= 0) {
        if (at > this.#pos) {
          const piece = this.#buf.subarray(this.#pos, at);
          this.#advance(at - this.#pos);
          if (this.#consumed > limit) onLimit?.();
          return piece;
        }
        this.#advance(d.length);
        this.#inPart = false;
        if (this.#consumed > limit) onLimit?.();
        return null;
      }
      // Everything but a possible delimiter prefix at the end is content.
      const safe = this.#buf.length - (d.length - 1);
      if (safe > this.#pos) {
        const piece = this.#buf.subarray(this.#pos, safe);
        this.#advance(safe - this.#pos);
        if (this.#consumed > limit) onLimit?.();
        return piece;
      }
      if (!(await this.#fill())) throw malformed();
    }
  }

  /** Reads and discards the rest of the body (S3 ignores everything after the file). */
  async drain(): Promise<void> {
    this.#buf = CRLF.subarray(0, 0);
    this.#pos = 0;
    while (await this.#fill()) {
      this.#consumed += this.#buf.length;
      this.#buf = CRLF.subarray(0, 0);
    }
  }
}

function parsePartHeaders(block: string): PartHeader {
  const out: PartHeader = {};
  if (block === '') return out;
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed();
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') {
      const { type, params } = parseHeaderParams(value);
      if (type === 'form-data') {
        out.name = params.get('name');
        out.filename = params.get('filename');
      }
    } else if (name === 'content-type') {
      out.contentType = value;
    }
  }
  return out;
}
