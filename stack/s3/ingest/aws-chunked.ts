// Incremental aws-chunked decoder:
//   <hex-size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;chunk-signature=<sig>]\r\n
//   [<trailer-name>:<value>\r\n ...]\r\n
// Data is handed on as subarrays of the input (no copies); only header and trailer lines are
// buffered, each bounded, so a body of any size decodes in constant memory.
import { S3Error } from '../errors.ts';

/** Longest chunk header or trailer line accepted, CRLF included. */
export const MAX_LINE = 4096;
const MAX_TRAILER_BYTES = 16 * 1024;
const CR = 0x0d;
const LF = 0x0a;

export interface ChunkedHandlers {
  /** A chunk header was read; `signature` is the chunk-signature extension, if any. */
  chunkStart(size: number, signature: string | undefined): void;
  data(bytes: Buffer): void;
  /** The chunk's data and its CRLF were read (for the final 0 chunk: right after its header). */
  chunkEnd(): void;
  trailer(name: string, value: string): void;
}

const ST = {
  header: 0,
  data: 1,
  dataCr: 2,
  dataLf: 3,
  afterFinal: 4,
  trailers: 5,
  done: 6,
} as const;
type State = (typeof ST)[keyof typeof ST];

function malformed(detail: string): S3Error {
  return new S3Error('InvalidRequest', `Malformed aws-chunked encoding: ${detail}.`);
}

export class AwsChunkedDecoder {
  #h: ChunkedHandlers;
  #trailers: boolean;
  #state: State = ST.header;
  #remaining = 0;
  #line: Buffer[] = [];
  #lineLen = 0;
  #trailerBytes = 0;

  /** `trailers`: trailer lines follow the final chunk (the *-TRAILER payload modes). */
  constructor(handlers: ChunkedHandlers, trailers: boolean) {
    this.#h = handlers;
    this.#trailers = trailers;
  }

  get done(): boolean {
    return this.#state === ST.done;
  }

  /** Feeds encoded bytes; throws S3Error on malformed framing. */
  write(buf: Buffer): void {
    let pos = 0;
    const n = buf.length;
    while (pos < n) {
      switch (this.#state) {
        case ST.data: {
          const take = Math.min(this.#remaining, n - pos);
          this.#h.data(buf.subarray(pos, pos + take));
          pos += take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#state = ST.dataCr;
          break;
        }
        case ST.dataCr:
          if (buf[pos++] !== CR) throw malformed('chunk data longer than its declared size');
          this.#state = ST.dataLf;
          break;
        case ST.dataLf:
          if (buf[pos++] !== LF) throw malformed('chunk data longer than its declared size');
          this.#h.chunkEnd();
          this.#state = ST.header;
          break;
        case ST.header:
        case ST.afterFinal:
        case ST.trailers: {
          const line = this.#takeLine(buf, pos);
          if (line === undefined) return;
          pos = line.next;
          this.#onLine(line.text);
          break;
        }
        case ST.done:
          throw malformed('data after the final chunk');
      }
    }
  }

  /** The input ended; throws IncompleteBody unless the framing is complete. */
  end(): void {
    if (this.#state === ST.done) return;
    // Tolerated: a body that stops right after the final chunk (or the last trailer line)
    // without the closing empty line.
    if ((this.#state === ST.afterFinal || this.#state === ST.trailers) && this.#lineLen === 0) {
      this.#state = ST.done;
      return;
    }
    throw new S3Error('IncompleteBody', 'The request body terminated unexpectedly');
  }

  /** Collects a CRLF-terminated line across buffers; undefined when more input is needed. */
  #takeLine(buf: Buffer, pos: number): { text: string; next: number } | undefined {
    const lf = buf.indexOf(LF, pos);
    const end = lf < 0 ? buf.length : lf + 1;
    const piece = buf.subarray(pos, end);
    this.#lineLen += piece.length;
    if (this.#lineLen > MAX_LINE) throw malformed('chunk header or trailer line too long');
    if (this.#state === ST.trailers) {
      this.#trailerBytes += piece.length;
      if (this.#trailerBytes > MAX_TRAILER_BYTES) throw malformed('trailers too large');
    }
    if (lf < 0) {
      this.#line.push(Buffer.from(piece)); // copy: the caller may reuse its buffer
      return undefined;
    }
    let whole: Buffer;
    if (this.#line.length === 0) whole = piece;
    else {
      this.#line.push(piece);
      whole = Buffer.concat(this.#line);
      this.#line = [];
    }
    this.#lineLen = 0;
    if (whole.length < 2 || whole[whole.length - 2] !== CR) throw malformed('line not terminated by CRLF');
    return { text: whole.toString('latin1', 0, whole.length - 2), next: end };
  }

  #onLine(text: string): void {
    switch (this.#state) {
      case ST.header: {
        const semi = text.indexOf(';');
        const sizeText = semi < 0 ? text : text.slice(0, semi);
        if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) throw malformed(`invalid chunk size "${sizeText}"`);
        const size = Number.parseInt(sizeText, 16);
        if (!Number.isSafeInteger(size)) throw malformed(`invalid chunk size "${sizeText}"`);
        let signature: string | undefined;
        if (semi >= 0) {
          for (const ext of text.slice(semi + 1).split(';')) {
            const eq = ext.indexOf('=');
            if (eq > 0 && ext.slice(0, eq).trim() === 'chunk-signature') signature = ext.slice(eq + 1).trim();
          }
        }
        this.#h.chunkStart(size, signature);
        if (size === 0) {
          this.#h.chunkEnd();
          this.#state = this.#trailers ? ST.trailers : ST.afterFinal;
        } else {
          this.#remaining = size;
          this.#state = ST.data;
        }
        return;
      }
      case ST.afterFinal:
        if (text !== '') throw malformed('data after the final chunk');
        this.#state = ST.done;
        return;
      case ST.trailers: {
        if (text === '') {
          this.#state = ST.done;
          return;
        }
        const colon = text.indexOf(':');
        if (colon <= 0) throw malformed('invalid trailer line');
        this.#h.trailer(text.slice(0, colon).trim().toLowerCase(), text.slice(colon + 1).trim());
        return;
      }
    }
  }
}
