// Server-side encryption as the protocol shows it: which algorithm, KMS key and bucket-key
// flag an object is written with (request headers, else the bucket's default), the KMS keys
// this server knows, and the response headers AWS echoes. Bytes are stored as sent.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from './errors.ts';
import { ACCOUNT_ID } from './identity.ts';

export type SseAlgorithm = 'AES256' | 'aws:kms' | 'aws:kms:dsse';

/** A bucket's default encryption rule (ApplyServerSideEncryptionByDefault + BucketKeyEnabled). */
export interface BucketEncryption {
  algorithm: SseAlgorithm;
  /** As put (key id, key ARN, alias or alias ARN); AWS returns it as stored. */
  kmsMasterKeyId?: string;
  bucketKeyEnabled: boolean;
}

/** What an object was written with. */
export interface ObjectSse {
  sse: SseAlgorithm;
  /** Full key ARN, for aws:kms and aws:kms:dsse. */
  sseKmsKeyId?: string;
  bucketKeyEnabled?: boolean;
  /** x-amz-server-side-encryption-context as sent (base64 JSON). */
  sseContext?: string;
}

export const SSE_ALGORITHMS: readonly SseAlgorithm[] = ['AES256', 'aws:kms', 'aws:kms:dsse'];

/** The AWS managed key S3 uses when aws:kms names no key. */
export const AWS_MANAGED_S3_ALIAS = 'alias/aws/s3';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A stable key id for an alias configured without one (so its ARN is the same every run). */
function keyIdForAlias(alias: string): string {
  const h = createHash('sha256').update(`kms-alias:${alias}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The KMS keys a server knows, from its `kmsKeys` option: key ids (UUIDs) and aliases
 * (`alias/name`, given a stable derived key id). `alias/aws/s3` is always known.
 */
export class KmsKeyring {
  readonly region: string;
  readonly #ids = new Set<string>();
  readonly #aliases = new Map<string, string>();

  constructor(region: string, keys: readonly string[]) {
    this.region = region;
    for (const k of [AWS_MANAGED_S3_ALIAS, ...keys]) {
      if (k.startsWith('alias/')) this.#aliases.set(k, keyIdForAlias(k));
      else if (UUID.test(k)) this.#ids.add(k.toLowerCase());
      else throw new TypeError(`kmsKeys: "${k}" is neither a key id (UUID) nor an alias (alias/name)`);
    }
  }

  arn(keyId: string): string {
    return `arn:aws:kms:${this.region}:${ACCOUNT_ID}:key/${keyId}`;
  }

  /** Every known key: its ARN and alias, if any (for the stack and the console). */
  list(): { keyId: string; arn: string; alias?: string }[] {
    return [
      ...[...this.#aliases].map(([alias, keyId]) => ({ keyId, arn: this.arn(keyId), alias })),
      ...[...this.#ids].map((keyId) => ({ keyId, arn: this.arn(keyId) })),
    ];
  }

  /** The key ARN a key id, key ARN, alias or alias ARN names; KMS.NotFoundException as S3 answers. */
  resolve(ref: string): string {
    const arn = /^arn:aws:kms:([^:]*):(\d{12}):(key|alias)\/(.+)$/.exec(ref);
    if (arn) {
      const [, region, account, kind, rest] = arn;
      if (region !== this.region) throw new S3Error('KMS.NotFoundException', `Invalid arn ${region}`);
      const id = kind === 'key' ? rest!.toLowerCase() : this.#aliases.get(`alias/${rest}`);
      if (account === ACCOUNT_ID && id && (this.#ids.has(id) || [...this.#aliases.values()].includes(id)))
        return this.arn(id);
      throw new S3Error('KMS.NotFoundException', `Key '${ref}' does not exist`);
    }
    if (ref.startsWith('alias/')) {
      const id = this.#aliases.get(ref);
      if (id) return this.arn(id);
      throw new S3Error('KMS.NotFoundException', `Alias '${this.arnOfAlias(ref)}' is not found.`);
    }
    if (UUID.test(ref)) {
      const id = ref.toLowerCase();
      if (this.#ids.has(id) || [...this.#aliases.values()].includes(id)) return this.arn(id);
      throw new S3Error('KMS.NotFoundException', `Key '${this.arn(id)}' does not exist`);
    }
    throw new S3Error('KMS.NotFoundException', `Invalid keyId ${ref}`);
  }

  private arnOfAlias(alias: string): string {
    return `arn:aws:kms:${this.region}:${ACCOUNT_ID}:${alias}`;
  }
}

function one(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function parseBool(raw: string, header: string): boolean {
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new S3Error('InvalidArgument', `${header} must be true or false`, {
    ArgumentName: header,
    ArgumentValue: raw,
  });
}

function checkContext(raw: string): void {
  let parsed: unknown;
  try {
    const text = Buffer.from(raw, 'base64').toString('utf8');
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new S3Error('InvalidArgument', 'The header x-amz-server-side-encryption-context is not valid', {
      ArgumentName: 'x-amz-server-side-encryption-context',
      ArgumentValue: raw,
    });
  }
}

/**
 * The encryption an object is written with: the request's SSE headers, else the bucket's
 * default (every bucket defaults to SSE-S3 on AWS since January 2023).
 */
export function resolveSse(
  headers: IncomingHttpHeaders,
  bucketDefault: BucketEncryption | undefined,
  keyring: KmsKeyring,
): ObjectSse {
  const requested = one(headers, 'x-amz-server-side-encryption');
  const keyHeader = one(headers, 'x-amz-server-side-encryption-aws-kms-key-id');
  const bucketKeyHeader = one(headers, 'x-amz-server-side-encryption-bucket-key-enabled');
  const context = one(headers, 'x-amz-server-side-encryption-context');
  if (requested !== undefined && !SSE_ALGORITHMS.includes(requested as SseAlgorithm)) {
    throw new S3Error('InvalidArgument', 'The encryption method specified is not supported', {
      ArgumentName: 'x-amz-server-side-encryption',
      ArgumentValue: requested,
    });
  }
  const algorithm = (requested as SseAlgorithm | undefined) ?? bucketDefault?.algorithm ?? 'AES256';
  if (algorithm === 'AES256') {
    if (keyHeader !== undefined || context !== undefined) {
      throw new S3Error(
        'InvalidArgument',
        'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
        { ArgumentName: 'x-amz-server-side-encryption', ArgumentValue: requested ?? 'null' },
      );
    }
    return { sse: 'AES256' };
  }
  if (context !== undefined) checkContext(context);
  // The bucket's key applies only when the request did not choose KMS itself.
  const fromBucket = requested === undefined ? bucketDefault : undefined;
  const keyRef = keyHeader ?? fromBucket?.kmsMasterKeyId ?? AWS_MANAGED_S3_ALIAS;
  const bucketKey =
    bucketKeyHeader !== undefined
      ? parseBool(bucketKeyHeader, 'x-amz-server-side-encryption-bucket-key-enabled')
      : bucketDefault?.algorithm !== 'AES256' && (bucketDefault?.bucketKeyEnabled ?? false);
  return {
    sse: algorithm,
    sseKmsKeyId: keyring.resolve(keyRef),
    ...(bucketKey ? { bucketKeyEnabled: true } : {}),
    ...(context !== undefined ? { sseContext: context } : {}),
  };
}

/** The SSE response headers AWS sends on writes and on GET/HEAD. */
export function sseHeaders(
  o: { sse?: string; sseKmsKeyId?: string; bucketKeyEnabled?: boolean; sseContext?: string },
  withContext = false,
): Record<string, string> {
  const h: Record<string, string> = {};
  if (!o.sse) return h;
  h['x-amz-server-side-encryption'] = o.sse;
  if (o.sseKmsKeyId) h['x-amz-server-side-encryption-aws-kms-key-id'] = o.sseKmsKeyId;
  if (o.bucketKeyEnabled) h['x-amz-server-side-encryption-bucket-key-enabled'] = 'true';
  if (withContext && o.sseContext) h['x-amz-server-side-encryption-context'] = o.sseContext;
  return h;
}

/** resolveSse for a request writing into `bucket` (its stored default, the server's keys). */
export function requestSse(
  ctx: {
    store: { requireBucket(name: string): { configs: { encryption?: BucketEncryption } } };
    options: { kms: KmsKeyring };
  },
  bucket: string,
  headers: IncomingHttpHeaders,
): ObjectSse {
  return resolveSse(headers, ctx.store.requireBucket(bucket).configs.encryption, ctx.options.kms);
}

/**
 * Condition keys of a request continuing a multipart upload (UploadPart, UploadPartCopy,
 * Complete): it carries no SSE headers, and S3 evaluates the upload's encryption instead, so
 * the common "deny unencrypted uploads" policy does not refuse the parts of an encrypted upload.
 */
export function uploadSseConditions(ctx: {
  bucket?: string;
  key?: string;
  query: URLSearchParams;
  store: {
    upload(bucket: string, key: string, uploadId: string): { meta: { sse?: string; sseKmsKeyId?: string } };
  };
}): Record<string, string> {
  if (ctx.bucket === undefined || ctx.key === undefined) return {};
  let meta: { sse?: string; sseKmsKeyId?: string };
  try {
    meta = ctx.store.upload(ctx.bucket, ctx.key, ctx.query.get('uploadId') ?? '').meta;
  } catch {
    // NoSuchUpload is answered by the handler, after authorization as on S3.
    return {};
  }
  const keys: Record<string, string> = {};
  if (meta.sse) keys['s3:x-amz-server-side-encryption'] = meta.sse;
  if (meta.sseKmsKeyId) keys['s3:x-amz-server-side-encryption-aws-kms-key-id'] = meta.sseKmsKeyId;
  return keys;
}
