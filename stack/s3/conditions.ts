// Conditional requests on reads (RFC 7232 with S3's precedence) and on writes.
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from './errors.ts';
import type { ObjectRecord } from './storage/types.ts';

function one(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function etagList(value: string): string[] {
  return value.split(',').map((s) =>
    s
      .trim()
      .replace(/^W\//, '')
      .replace(/^"(.*)"$/, '$1'),
  );
}

export function etagMatches(value: string, etag: string): boolean {
  return etagList(value).some((e) => e === '*' || e === etag);
}

function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * GET/HEAD preconditions. If-Match true overrides If-Unmodified-Since false (200); If-None-Match
 * false overrides If-Modified-Since true... as S3 documents: the ETag condition wins when both
 * are present. Returns 304 / throws 412, or undefined to proceed. `prefix` selects the copy
 * source variants (`x-amz-copy-source-`), which answer 412 for every failed condition.
 */
export function checkReadConditions(
  headers: IncomingHttpHeaders,
  rec: ObjectRecord,
  prefix = '',
): 'not-modified' | undefined {
  const ifMatch = one(headers, `${prefix}if-match`);
  const ifNoneMatch = one(headers, `${prefix}if-none-match`);
  const ifModifiedSince = parseHttpDate(one(headers, `${prefix}if-modified-since`));
  const ifUnmodifiedSince = parseHttpDate(one(headers, `${prefix}if-unmodified-since`));
  const fail = (condition: string) =>
    new S3Error('PreconditionFailed', undefined, {
      Condition: `${prefix ? 'x-amz-copy-source-' : ''}${condition}`,
    });
  const copy = prefix !== '';
  const lastModifiedSec = Math.floor(rec.lastModified / 1000) * 1000;

  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, rec.etag)) throw fail('If-Match');
  } else if (ifUnmodifiedSince !== undefined && lastModifiedSec > ifUnmodifiedSince) {
    throw fail('If-Unmodified-Since');
  }
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, rec.etag)) {
      if (copy) throw fail('If-None-Match');
      return 'not-modified';
    }
  } else if (ifModifiedSince !== undefined && lastModifiedSec <= ifModifiedSince) {
    if (copy) throw fail('If-Modified-Since');
    return 'not-modified';
  }
  return undefined;
}

export interface WriteConditions {
  ifMatch?: string;
  ifNoneMatch?: string;
}

export function writeConditionsFrom(headers: IncomingHttpHeaders): WriteConditions {
  const ifNoneMatch = one(headers, 'if-none-match');
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    throw new S3Error(
      'NotImplemented',
      'A header you provided implies functionality that is not implemented',
      {
        Header: 'If-None-Match',
        additionalMessage: "We don't accept the provided value of If-None-Match header for this API",
      },
    );
  }
  return { ifMatch: one(headers, 'if-match'), ifNoneMatch };
}

/** PutObject / CompleteMultipartUpload preconditions, evaluated under the key's lock. */
export function checkWriteConditions(
  cond: WriteConditions,
  existing: ObjectRecord | undefined,
  key: string,
): void {
  if (cond.ifNoneMatch !== undefined && existing) {
    throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-None-Match' });
  }
  if (cond.ifMatch !== undefined) {
    if (!existing) throw new S3Error('NoSuchKey', undefined, { Key: key });
    if (!etagMatches(cond.ifMatch, existing.etag))
      throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
  }
}
