// The "bytes in" pipeline: decodes aws-chunked framing, verifies chunk and trailer signatures,
// the payload hash, Content-MD5, the declared checksum and the declared lengths, while the bytes
// stream through. The output ends only when every check passed; otherwise it errors with an
// S3Error, so whatever consumes it never commits bad bytes.
import { createHash, type Hash } from 'node:crypto';
import { finished, type Readable, Transform, type TransformCallback } from 'node:stream';
import { S3Error } from '../errors.ts';
import { AwsChunkedDecoder } from './aws-chunked.ts';
import { sha256Hex } from './canonical.ts';
import { type Checksum, createChecksum, isValidChecksumValue } from './checksum.ts';
import { type DeclaredChecksum, declaredChecksum, declaredMd5 } from './declared-checksum.ts';
import { type OffloadAlgorithm, OffloadedHashes } from './hash-offload.ts';
import { isChunkedMode, parsePayloadMode } from './payload-mode.ts';
import { headerValue } from './request-headers.ts';
import { hmac, signaturesEqual } from './signing-key.ts';
import type {
  AuthContext,
  ChecksumAlgorithm,
  Ingest,
  IngestOptions,
  IngestResult,
  PayloadMode,
} from './types.ts';

/** Bodies from this size are hashed on a worker thread (see hash-offload.ts). */
const OFFLOAD_MIN = 8 * 1024 * 1024;
/** The checksums the hash worker can compute (builtins there); CRC32C and CRC64NVME stay here. */
const OFFLOADED_CHECKSUMS: Partial<Record<ChecksumAlgorithm, OffloadAlgorithm>> = {
  CRC32: 'crc32',
  SHA1: 'sha1',
  SHA256: 'sha256',
};
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const MALFORMED_TRAILER =
  'The request contained trailing data that was not well-formed or did not conform to our published schema.';

function parseLength(text: string | undefined, header: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,16}$/.test(text.trim())) {
    throw new S3Error('InvalidArgument', `Invalid ${header}`, { ArgumentName: header, ArgumentValue: text });
  }
  return Number(text.trim());
}

/** The payload mode that decides framing; an anonymous request may still send aws-chunked. */
function framingMode(auth: AuthContext): PayloadMode {
  if (auth.payload !== 'anonymous' || auth.contentSha256 === undefined) return auth.payload;
  return parsePayloadMode(auth.contentSha256);
}

interface Plan {
  mode: PayloadMode;
  chunked: boolean;
  signedChunks: boolean;
  signedTrailer: boolean;
  /** Encoded bytes expected (Content-Length). */
  contentLength?: number;
  /** Decoded bytes expected (Content-Length, or x-amz-decoded-content-length when chunked). */
  decodedLength?: number;
  declared?: DeclaredChecksum;
  md5?: Buffer;
  payloadSha256?: string;
}

function plan(opts: IngestOptions): Plan {
  const { auth, headers } = opts;
  const mode = framingMode(auth);
  const chunked = isChunkedMode(mode);
  const signedChunks = mode === 'streaming-signed' || mode === 'streaming-signed-trailer';
  if (signedChunks && (!auth.signingKey || !auth.seedSignature || !auth.amzDate || !auth.scope)) {
    throw new S3Error('InvalidRequest', 'Signed streaming payloads require a SigV4-signed request.');
  }
  const contentLength = parseLength(headerValue(headers, 'content-length'), 'Content-Length');
  let decodedLength = contentLength;
  if (chunked) {
    const decoded = headerValue(headers, 'x-amz-decoded-content-length');
    if (decoded === undefined) throw new S3Error('MissingContentLength');
    decodedLength = parseLength(decoded, 'x-amz-decoded-content-length');
  }
  if (decodedLength !== undefined && decodedLength > opts.maxBytes) {
    throw tooLarge(opts.maxBytes, decodedLength);
  }
  const trailers = mode === 'streaming-signed-trailer' || mode === 'streaming-unsigned-trailer';
  return {
    mode,
    chunked,
    signedChunks,
    signedTrailer: mode === 'streaming-signed-trailer',
    contentLength,
    decodedLength,
    declared: declaredChecksum(headers, trailers),
    md5: declaredMd5(headers),
    payloadSha256: mode === 'signed' ? auth.contentSha256!.toLowerCase() : undefined,
  };
}

function tooLarge(max: number, proposed?: number): S3Error {
  const extra: Record<string, string> = {};
  if (proposed !== undefined) extra.ProposedSize = String(proposed);
  extra.MaxSizeAllowed = String(max);
  return new S3Error('EntityTooLarge', undefined, extra);
}

function incomplete(expected: number, provided: number): S3Error {
  return new S3Error('IncompleteBody', undefined, {
    NumberBytesExpected: String(expected),
    NumberBytesProvided: String(provided),
  });
}

class IngestStream extends Transform {
  #opts: IngestOptions;
  #plan: Plan | undefined;
  #onResult: (r: IngestResult) => void;
  #decoder: AwsChunkedDecoder | undefined;
  #md5: Hash | undefined;
  #offloaded: OffloadedHashes | undefined;
  #blocked = 0;
  #waiting: TransformCallback | undefined;
  #payloadHash: Hash | undefined;
  /** The checksums computed on this thread. */
  #checksums = new Map<ChecksumAlgorithm, Checksum>();
  /** The checksums the hash worker computes, and under which of its names. */
  #offloadedChecksums = new Map<ChecksumAlgorithm, OffloadAlgorithm>();
  #rawBytes = 0;
  #size = 0;
  // streaming-signed state
  #previousSignature = '';
  #chunkSignature: string | undefined;
  #chunkHash: Hash | undefined;
  #trailers = new Map<string, string>();
  #canonicalTrailers = '';
  #settled = false;

  constructor(raw: Readable, opts: IngestOptions, onResult: (r: IngestResult) => void) {
    super();
    this.#opts = opts;
    this.#onResult = onResult;
    try {
      this.#plan = plan(opts);
    } catch (err) {
      process.nextTick(() => this.destroy(err as Error));
      return;
    }
    const p = this.#plan;
    const checksums = new Set([p.declared?.algorithm, opts.extraAlgorithm].filter((a) => a !== undefined));
    if ((p.decodedLength ?? 0) >= OFFLOAD_MIN) {
      const algorithms = new Set<OffloadAlgorithm>(['md5']);
      if (p.payloadSha256 !== undefined) algorithms.add('sha256');
      for (const alg of checksums) {
        const off = OFFLOADED_CHECKSUMS[alg];
        if (off) {
          algorithms.add(off);
          checksums.delete(alg);
          this.#offloadedChecksums.set(alg, off);
        }
      }
      const offloaded = new OffloadedHashes([...algorithms]);
      this.#offloaded = offloaded;
      this.once('close', () => offloaded.drop());
    } else {
      this.#md5 = createHash('md5');
      if (p.payloadSha256 !== undefined) this.#payloadHash = createHash('sha256');
    }
    for (const alg of checksums) this.#checksums.set(alg, createChecksum(alg));
    if (p.chunked) {
      this.#previousSignature = opts.auth.seedSignature ?? '';
      this.#decoder = new AwsChunkedDecoder(
        {
          chunkStart: (size, signature) => this.#chunkStart(size, signature),
          data: (bytes) => this.#data(bytes),
          chunkEnd: () => this.#chunkEnd(),
          trailer: (name, value) => this.#trailer(name, value),
        },
        p.mode === 'streaming-signed-trailer' || p.mode === 'streaming-unsigned-trailer',
      );
    }
    // A client that disconnects mid-body leaves `raw` destroyed without 'end': without this the
    // consumer would wait forever.
    finished(raw, { writable: false }, (err) => {
      if (err && !this.#settled) this.destroy(new S3Error('IncompleteBody'));
    });
    raw.pipe(this);
    this.once('close', () => {
      this.#settled = true;
      raw.unpipe(this);
    });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.#rawBytes += chunk.length;
      if (this.#decoder) this.#decoder.write(chunk);
      else this.#data(chunk);
      if (this.#blocked === 0) cb();
      else this.#waiting = cb;
    } catch (err) {
      cb(err as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    const finish = (md5: Buffer, offloaded?: Map<OffloadAlgorithm, Buffer>) => {
      try {
        this.#finish(md5, offloaded);
        this.#settled = true;
        cb();
      } catch (err) {
        cb(err as Error);
      }
    };
    if (this.#offloaded) {
      try {
        this.#checkLengths();
      } catch (err) {
        cb(err as Error);
        return;
      }
      this.#offloaded.digest().then(
        (digests) => finish(digests.get('md5')!, digests),
        (err: Error) => cb(err),
      );
    } else finish(this.#md5!.digest());
  }

  #unblocked = (): void => {
    if (--this.#blocked > 0 || !this.#waiting) return;
    const cb = this.#waiting;
    this.#waiting = undefined;
    cb();
  };

  #data(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const p = this.#plan!;
    this.#size += bytes.length;
    if (this.#size > this.#opts.maxBytes) throw tooLarge(this.#opts.maxBytes, p.decodedLength);
    if (p.chunked && p.decodedLength !== undefined && this.#size > p.decodedLength) {
      throw new S3Error(
        'InvalidRequest',
        'Malformed aws-chunked encoding: more data than x-amz-decoded-content-length declares.',
      );
    }
    if (this.#offloaded) {
      this.#blocked++;
      this.#offloaded.update(bytes, this.#unblocked);
    } else {
      this.#md5!.update(bytes);
      this.#payloadHash?.update(bytes);
    }
    this.#chunkHash?.update(bytes);
    for (const c of this.#checksums.values()) c.update(bytes);
    this.push(bytes);
  }

  #chunkStart(size: number, signature: string | undefined): void {
    const p = this.#plan!;
    if (p.decodedLength !== undefined && this.#size + size > p.decodedLength) {
      throw new S3Error(
        'InvalidRequest',
        'Malformed aws-chunked encoding: more data than x-amz-decoded-content-length declares.',
      );
    }
    if (this.#size + size > this.#opts.maxBytes) throw tooLarge(this.#opts.maxBytes, p.decodedLength);
    if (!p.signedChunks) return;
    if (signature === undefined) {
      throw new S3Error('InvalidRequest', 'Malformed aws-chunked encoding: missing chunk-signature.');
    }
    this.#chunkSignature = signature;
    this.#chunkHash = size > 0 ? createHash('sha256') : undefined;
  }

  #chunkEnd(): void {
    if (!this.#plan!.signedChunks) return;
    const { auth } = this.#opts;
    const chunkSha = this.#chunkHash ? this.#chunkHash.digest('hex') : EMPTY_SHA256;
    this.#chunkHash = undefined;
    const toSign = `AWS4-HMAC-SHA256-PAYLOAD\n${auth.amzDate}\n${auth.scope}\n${this.#previousSignature}\n${EMPTY_SHA256}\n${chunkSha}`;
    const expected = hmac(auth.signingKey!, toSign).toString('hex');
    const provided = this.#chunkSignature ?? '';
    if (!signaturesEqual(expected, provided)) {
      throw new S3Error('SignatureDoesNotMatch', undefined, {
        ...(auth.accessKeyId ? { AWSAccessKeyId: auth.accessKeyId } : {}),
        StringToSign: toSign,
        SignatureProvided: provided,
      });
    }
    this.#previousSignature = expected;
  }

  #trailer(name: string, value: string): void {
    if (this.#trailers.has(name)) throw new S3Error('InvalidRequest', MALFORMED_TRAILER);
    this.#trailers.set(name, value);
    if (name !== 'x-amz-trailer-signature') this.#canonicalTrailers += `${name}:${value}\n`;
  }

  #lengthsChecked = false;

  #checkLengths(): void {
    if (this.#lengthsChecked) return;
    this.#lengthsChecked = true;
    const p = this.#plan!;
    if (this.#decoder) this.#decoder.end();
    if (p.contentLength !== undefined && this.#rawBytes < p.contentLength) {
      throw incomplete(p.contentLength, this.#rawBytes);
    }
    if (p.decodedLength !== undefined && this.#size < p.decodedLength) {
      throw incomplete(p.decodedLength, this.#size);
    }
  }

  /** `offloaded`: what the hash worker computed, for a body it hashed. */
  #finish(md5: Buffer, offloaded: Map<OffloadAlgorithm, Buffer> | undefined): void {
    const p = this.#plan!;
    const { auth } = this.#opts;
    this.#checkLengths();

    if (p.signedTrailer) {
      const provided = this.#trailers.get('x-amz-trailer-signature');
      if (provided === undefined) throw new S3Error('InvalidRequest', MALFORMED_TRAILER);
      const toSign = `AWS4-HMAC-SHA256-TRAILER\n${auth.amzDate}\n${auth.scope}\n${this.#previousSignature}\n${sha256Hex(this.#canonicalTrailers)}`;
      const expected = hmac(auth.signingKey!, toSign).toString('hex');
      if (!signaturesEqual(expected, provided)) {
        throw new S3Error('SignatureDoesNotMatch', undefined, {
          ...(auth.accessKeyId ? { AWSAccessKeyId: auth.accessKeyId } : {}),
          StringToSign: toSign,
          SignatureProvided: provided,
        });
      }
    }

    if (p.payloadSha256 !== undefined) {
      const computed = (offloaded?.get('sha256') ?? this.#payloadHash!.digest()).toString('hex');
      if (computed !== p.payloadSha256) {
        throw new S3Error('XAmzContentSHA256Mismatch', undefined, {
          ClientComputedContentSHA256: p.payloadSha256,
          S3ComputedContentSHA256: computed,
        });
      }
    }

    if (p.md5 && !md5.equals(p.md5)) {
      throw new S3Error('BadDigest', undefined, {
        ExpectedDigest: p.md5.toString('hex'),
        CalculatedDigest: md5.toString('base64'),
      });
    }

    const computed: Partial<Record<ChecksumAlgorithm, string>> = {};
    for (const [alg, c] of this.#checksums) computed[alg] = c.digest().toString('base64');
    for (const [alg, off] of this.#offloadedChecksums)
      computed[alg] = offloaded!.get(off)!.toString('base64');

    let checksum: IngestResult['checksum'];
    if (p.declared) {
      const { algorithm } = p.declared;
      let value = p.declared.value;
      if (p.declared.trailer !== undefined) {
        value = this.#trailers.get(p.declared.trailer);
        if (value === undefined) throw new S3Error('InvalidRequest', MALFORMED_TRAILER);
        if (!isValidChecksumValue(algorithm, value)) {
          throw new S3Error('InvalidRequest', `Value for ${p.declared.trailer} trailing header is invalid.`);
        }
      }
      if (computed[algorithm] !== value) {
        throw new S3Error(
          'BadDigest',
          `The ${algorithm} you specified did not match the calculated checksum.`,
        );
      }
      checksum = { algorithm, value: value! };
    }

    this.#onResult({
      size: this.#size,
      md5Hex: md5.toString('hex'),
      ...(checksum ? { checksum } : {}),
      computed,
    });
  }
}

/**
 * Wraps a request body. `body` yields the decoded bytes and ends only after every check passed;
 * any failure (framing, signatures, hashes, lengths, limits, a client that went away) errors it
 * with an S3Error. Never throws.
 */
export function ingest(raw: Readable, opts: IngestOptions): Ingest {
  let result: IngestResult | undefined;
  const body = new IngestStream(raw, opts, (r) => {
    result = r;
  });
  return {
    body,
    result() {
      if (!result) throw new Error('ingest result read before the body ended');
      return result;
    },
  };
}
