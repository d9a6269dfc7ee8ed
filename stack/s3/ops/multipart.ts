// Multipart uploads: Create, UploadPart, UploadPartCopy, Complete, Abort, ListParts.
import { createHash, randomBytes } from 'node:crypto';
import { drainBody, ingestToBlob, readSmallBody } from '../body.ts';
import { checkReadConditions, checkWriteConditions, writeConditionsFrom } from '../conditions.ts';
import { copyBytes } from '../copy-bytes.ts';
import {
  authorizeCopySource,
  copySourceVersionHeaders,
  parseCopySource,
  requireCopySource,
} from '../copy-source.ts';
import { pendingDefaultChecksum } from '../default-checksum.ts';
import { S3Error } from '../errors.ts';
import { combineCrc, createChecksum, isCombinable, parseChecksumAlgorithm } from '../ingest/index.ts';
import type { ChecksumAlgorithm } from '../ingest/types.ts';
import { abortHeaders } from '../lifecycle/plan.ts';
import { contentMetaFrom, quotedEtag, tagsFromHeader } from '../object-headers.ts';
import { ownerXml } from '../owner.ts';
import { header, objectArn, type RequestContext } from '../request-context.ts';
import { sendEmpty, sendXml } from '../respond.ts';
import { requestSse, sseHeaders, uploadSseConditions } from '../sse.ts';
import type { ChecksumType, StoredChecksum, UploadPartRecord, UploadRecord } from '../storage/types.ts';
import { writtenVersionHeaders } from '../versioning.ts';
import { block, children, isoDate, parseXmlBody, tag, text, xmlDocument } from '../xml.ts';

const MIN_PART = 5 * 1024 * 1024;
const MAX_PARTS = 10000;

function checksumTypeFor(
  algorithm: ChecksumAlgorithm | undefined,
  requested: string | undefined,
): ChecksumType | undefined {
  if (requested !== undefined && requested !== 'COMPOSITE' && requested !== 'FULL_OBJECT') {
    throw new S3Error('InvalidRequest', 'Value for x-amz-checksum-type header is invalid.');
  }
  if (!algorithm) {
    if (requested) {
      throw new S3Error(
        'InvalidRequest',
        'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.',
      );
    }
    return undefined;
  }
  const type =
    (requested as ChecksumType | undefined) ?? (algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE');
  if (type === 'FULL_OBJECT' && (algorithm === 'SHA1' || algorithm === 'SHA256')) {
    throw new S3Error(
      'InvalidRequest',
      `The FULL_OBJECT checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`,
    );
  }
  if (type === 'COMPOSITE' && algorithm === 'CRC64NVME') {
    throw new S3Error(
      'InvalidRequest',
      'The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.',
    );
  }
  return type;
}

export async function createMultipartUpload(ctx: RequestContext): Promise<void> {
  const bucket = ctx.store.requireBucket(ctx.bucket!).name;
  const rawAlg = header(ctx, 'x-amz-checksum-algorithm');
  const algorithm = parseChecksumAlgorithm(rawAlg);
  if (rawAlg !== undefined && !algorithm) {
    throw new S3Error(
      'InvalidRequest',
      'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]',
    );
  }
  const checksumType = checksumTypeFor(algorithm, header(ctx, 'x-amz-checksum-type'));
  const meta = {
    key: ctx.key!,
    ...contentMetaFrom(ctx.req.headers, requestSse(ctx, bucket, ctx.req.headers)),
    tags: tagsFromHeader(ctx.req.headers),
  };
  await drainBody(ctx);
  const upload: UploadRecord = {
    uploadId: randomBytes(48).toString('base64url'),
    bucket,
    key: ctx.key!,
    initiated: ctx.options.storeNow(),
    initiator: ctx.auth.identity?.name ?? 'anonymous',
    checksumAlgorithm: algorithm,
    checksumType,
    meta,
    parts: {},
  };
  await ctx.store.createUpload(upload);
  const headers: Record<string, string> = sseHeaders(meta, true);
  if (algorithm) headers['x-amz-checksum-algorithm'] = algorithm;
  if (checksumType) headers['x-amz-checksum-type'] = checksumType;
  const rules = ctx.store.bucket(bucket)?.configs.lifecycle;
  if (rules) Object.assign(headers, abortHeaders(rules, { key: ctx.key!, initiated: upload.initiated }));
  sendXml(
    ctx.res,
    200,
    xmlDocument(
      'InitiateMultipartUploadResult',
      tag('Bucket', bucket),
      tag('Key', ctx.key!),
      tag('UploadId', upload.uploadId),
    ),
    headers,
  );
}

function partNumberOf(ctx: RequestContext): number {
  const raw = ctx.query.get('partNumber') ?? '';
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_PARTS) {
    throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', {
      ArgumentName: 'partNumber',
      ArgumentValue: raw,
    });
  }
  return n;
}

function uploadOf(ctx: RequestContext): UploadRecord {
  ctx.store.requireBucket(ctx.bucket!);
  return ctx.store.upload(ctx.bucket!, ctx.key!, ctx.query.get('uploadId') ?? '');
}

export async function uploadPart(ctx: RequestContext): Promise<void> {
  const partNumber = partNumberOf(ctx);
  const upload = uploadOf(ctx);
  const { blob, result } = await ingestToBlob(ctx, upload.checksumAlgorithm);
  const discard = async (err: S3Error) => {
    await ctx.store.discardBlob(blob);
    throw err;
  };
  if (upload.checksumAlgorithm && result.checksum && result.checksum.algorithm !== upload.checksumAlgorithm) {
    await discard(
      new S3Error(
        'InvalidRequest',
        `Checksum Type mismatch occurred, expected checksum Type: ${upload.checksumAlgorithm.toLowerCase()}, actual checksum Type: ${result.checksum.algorithm.toLowerCase()}`,
      ),
    );
  }
  const part: UploadPartRecord = {
    partNumber,
    size: result.size,
    etag: result.md5Hex,
    lastModified: Math.floor(ctx.options.storeNow() / 1000) * 1000,
    checksums: {
      ...result.computed,
      ...(result.checksum ? { [result.checksum.algorithm]: result.checksum.value } : {}),
    },
    blob,
  };
  await ctx.store.putPart(ctx.bucket!, ctx.key!, upload.uploadId, part);
  const headers: Record<string, string> = { ETag: quotedEtag(part.etag), ...sseHeaders(upload.meta) };
  const alg = upload.checksumAlgorithm ?? result.checksum?.algorithm;
  if (alg && part.checksums[alg]) headers[`x-amz-checksum-${alg.toLowerCase()}`] = part.checksums[alg]!;
  sendEmpty(ctx.res, 200, headers);
}

function parseCopyRange(raw: string | undefined, size: number): { start: number; end: number } {
  if (raw === undefined) return { start: 0, end: size - 1 };
  const m = /^bytes=(\d+)-(\d+)$/.exec(raw.trim());
  if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) >= size) {
    throw new S3Error('InvalidArgument', `Range specified is not valid for source object of size: ${size}`, {
      ArgumentName: 'x-amz-copy-source-range',
      ArgumentValue: raw,
    });
  }
  return { start: Number(m[1]), end: Number(m[2]) };
}

export async function uploadPartCopy(ctx: RequestContext): Promise<void> {
  const src = parseCopySource(ctx);
  await authorizeCopySource(ctx, src);
  await ctx.authorize('s3:PutObject', objectArn(ctx.bucket!, ctx.key!), uploadSseConditions(ctx));
  const partNumber = partNumberOf(ctx);
  const upload = uploadOf(ctx);
  await drainBody(ctx);
  const source = await requireCopySource(ctx, src);
  checkReadConditions(ctx.req.headers, source, 'x-amz-copy-source-');
  const { start, end } = parseCopyRange(header(ctx, 'x-amz-copy-source-range'), source.size);
  const algorithm = upload.checksumAlgorithm ?? 'CRC64NVME';
  const copied = await copyBytes(ctx.store, source, start, end, algorithm);
  const part: UploadPartRecord = {
    partNumber,
    size: end - start + 1,
    etag: copied.md5Hex,
    lastModified: Math.floor(ctx.options.storeNow() / 1000) * 1000,
    checksums: { [algorithm]: copied.checksum },
    blob: copied.blob,
  };
  await ctx.store.putPart(ctx.bucket!, ctx.key!, upload.uploadId, part);
  sendXml(
    ctx.res,
    200,
    xmlDocument(
      'CopyPartResult',
      tag('ETag', quotedEtag(part.etag)),
      tag('LastModified', isoDate(part.lastModified)),
      upload.checksumAlgorithm ? tag(`Checksum${algorithm}`, copied.checksum) : '',
    ),
    { ...sseHeaders(upload.meta), ...copySourceVersionHeaders(ctx, src, source) },
  );
}

interface RequestedPart {
  partNumber: number;
  etag: string;
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

function parseCompleteBody(data: Buffer): RequestedPart[] {
  const root = parseXmlBody(data, 'CompleteMultipartUpload');
  const parts = children(root, 'Part');
  if (parts.length === 0) throw new S3Error('MalformedXML');
  return parts.map((p) => {
    const n = text(p, 'PartNumber')?.trim();
    const etag = text(p, 'ETag');
    if (!n || !/^\d+$/.test(n) || etag === undefined) throw new S3Error('MalformedXML');
    const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
    for (const alg of ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'] as const) {
      const v = text(p, `Checksum${alg}`);
      if (v !== undefined) checksums[alg] = v.trim();
    }
    return {
      partNumber: Number(n),
      etag: etag
        .trim()
        .replace(/^"|"$/g, '')
        .replace(/^&quot;|&quot;$/g, ''),
      checksums,
    };
  });
}

/** The whole object's CRC, combined from the parts' CRCs (S3 does not re-read the parts either). */
async function fullObjectChecksum(
  ctx: RequestContext,
  algorithm: ChecksumAlgorithm,
  parts: UploadPartRecord[],
): Promise<string> {
  if (isCombinable(algorithm) && parts.every((p) => p.checksums[algorithm])) {
    let acc: Buffer | undefined;
    for (const p of parts) {
      const crc = Buffer.from(p.checksums[algorithm]!, 'base64');
      acc = acc === undefined ? crc : combineCrc(algorithm, acc, crc, p.size);
    }
    return acc!.toString('base64');
  }
  const sum = createChecksum(algorithm);
  for await (const chunk of ctx.store.readBlobs(parts.map((p) => p.blob))) sum.update(chunk as Buffer);
  return sum.digest().toString('base64');
}

export async function completeMultipartUpload(ctx: RequestContext): Promise<void> {
  const upload = uploadOf(ctx);
  const conditions = writeConditionsFrom(ctx.req.headers);
  const { data } = await readSmallBody(ctx, 10 * 1024 * 1024);
  const requested = parseCompleteBody(data);
  const key = ctx.key!;
  const bucket = ctx.bucket!;
  const invalidPart = (p: RequestedPart) =>
    new S3Error('InvalidPart', undefined, {
      UploadId: upload.uploadId,
      PartNumber: String(p.partNumber),
      ETag: p.etag,
    });
  const rec = await ctx.store.completeUpload(bucket, key, upload.uploadId, async (u, existing) => {
    checkWriteConditions(conditions, existing, key);
    const chosen: UploadPartRecord[] = [];
    let prev = 0;
    for (const p of requested) {
      if (p.partNumber <= prev) throw new S3Error('InvalidPartOrder', undefined, { UploadId: u.uploadId });
      prev = p.partNumber;
    }
    for (const p of requested) {
      const stored = u.parts[p.partNumber];
      if (!stored || stored.etag !== p.etag) throw invalidPart(p);
      const alg = u.checksumAlgorithm;
      if (alg) {
        const given = p.checksums[alg];
        if (given === undefined && u.checksumType === 'COMPOSITE') {
          throw new S3Error(
            'InvalidRequest',
            `The upload was created using a ${alg.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${p.partNumber} in the request.`,
          );
        }
        if (given !== undefined && given !== stored.checksums[alg]) throw invalidPart(p);
      }
      chosen.push(stored);
    }
    chosen.forEach((part, i) => {
      if (i < chosen.length - 1 && part.size < MIN_PART) {
        throw new S3Error('EntityTooSmall', undefined, {
          ProposedSize: String(part.size),
          MinSizeAllowed: String(MIN_PART),
          PartNumber: String(part.partNumber),
          ETag: part.etag,
        });
      }
    });
    const md5s = Buffer.concat(chosen.map((p) => Buffer.from(p.etag, 'hex')));
    const etag = `${createHash('md5').update(md5s).digest('hex')}-${chosen.length}`;
    const blobs = chosen.map((p) => p.blob);
    let checksum: StoredChecksum;
    const alg = u.checksumAlgorithm;
    if (alg && u.checksumType === 'COMPOSITE') {
      const sum = createChecksum(alg);
      for (const p of chosen) sum.update(Buffer.from(p.checksums[alg] ?? '', 'base64'));
      checksum = {
        algorithm: alg,
        value: `${sum.digest().toString('base64')}-${chosen.length}`,
        type: 'COMPOSITE',
      };
    } else if (alg) {
      checksum = { algorithm: alg, value: await fullObjectChecksum(ctx, alg, chosen), type: 'FULL_OBJECT' };
    } else {
      checksum = pendingDefaultChecksum();
    }
    const declared = header(ctx, `x-amz-checksum-${checksum.algorithm.toLowerCase()}`);
    if (
      declared !== undefined &&
      declared !== checksum.value &&
      declared !== checksum.value.replace(/-\d+$/, '')
    ) {
      throw new S3Error(
        'BadDigest',
        `The ${checksum.algorithm.toLowerCase()} you specified for the full object did not match what was calculated`,
      );
    }
    let offset = 0;
    const parts = chosen.map((p) => {
      offset += p.size;
      return {
        partNumber: p.partNumber,
        size: p.size,
        etag: p.etag,
        checksum: alg ? p.checksums[alg] : undefined,
      };
    });
    return {
      ...u.meta,
      key,
      size: offset,
      etag,
      lastModified: Math.floor(ctx.options.storeNow() / 1000) * 1000,
      checksum,
      parts,
      blobs,
    };
  });
  const host = header(ctx, 'host') ?? 'localhost';
  sendXml(
    ctx.res,
    200,
    xmlDocument(
      'CompleteMultipartUploadResult',
      tag('Location', `http://${host}/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`),
      tag('Bucket', bucket),
      tag('Key', key),
      tag('ETag', quotedEtag(rec.etag)),
      rec.checksum ? tag(`Checksum${rec.checksum.algorithm}`, rec.checksum.value) : '',
      rec.checksum ? tag('ChecksumType', rec.checksum.type) : '',
    ),
    { ...sseHeaders(rec), ...writtenVersionHeaders(rec) },
  );
}

export async function abortMultipartUpload(ctx: RequestContext): Promise<void> {
  const upload = uploadOf(ctx);
  await ctx.store.abortUpload(upload.uploadId);
  sendEmpty(ctx.res, 204);
}

export async function listParts(ctx: RequestContext): Promise<void> {
  const upload = uploadOf(ctx);
  const rawMax = ctx.query.get('max-parts');
  const rawMarker = ctx.query.get('part-number-marker');
  const num = (raw: string | null, name: string, dflt: number) => {
    if (raw === null) return dflt;
    if (!/^\d+$/.test(raw)) {
      throw new S3Error('InvalidArgument', `Provided ${name} not an integer or within integer range`, {
        ArgumentName: name,
        ArgumentValue: raw,
      });
    }
    return Number(raw);
  };
  const max = Math.min(num(rawMax, 'max-parts', 1000), 1000);
  const marker = num(rawMarker, 'part-number-marker', 0);
  const all = Object.values(upload.parts)
    .filter((p) => p.partNumber > marker)
    .sort((a, b) => a.partNumber - b.partNumber);
  const page = all.slice(0, max);
  const truncated = all.length > page.length;
  const alg = upload.checksumAlgorithm;
  sendXml(
    ctx.res,
    200,
    xmlDocument(
      'ListPartsResult',
      tag('Bucket', upload.bucket),
      tag('Key', upload.key),
      tag('UploadId', upload.uploadId),
      ownerXml('Initiator', upload.initiator),
      ownerXml(),
      tag('StorageClass', upload.meta.storageClass),
      tag('PartNumberMarker', marker),
      tag('NextPartNumberMarker', page.length ? page[page.length - 1]!.partNumber : 0),
      tag('MaxParts', max),
      tag('IsTruncated', truncated),
      alg ? tag('ChecksumAlgorithm', alg) : '',
      upload.checksumType ? tag('ChecksumType', upload.checksumType) : '',
      page.map((p) =>
        block(
          'Part',
          tag('PartNumber', p.partNumber),
          tag('LastModified', isoDate(p.lastModified)),
          tag('ETag', quotedEtag(p.etag)),
          alg ? tag(`Checksum${alg}`, p.checksums[alg]) : '',
          tag('Size', p.size),
        ),
      ),
    ),
  );
}
