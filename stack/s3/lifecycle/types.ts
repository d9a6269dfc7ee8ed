// The bucket lifecycle configuration as the stack holds it (parsed from, and rendered back to,
// S3's LifecycleConfiguration document), and the views the planner works on. Times are epoch ms.

/**
 * Which objects a rule applies to. Every field present must match (an `And`); a filter with no
 * field matches every object. Sizes are exclusive bounds, as S3 applies them.
 */
export interface LifecycleFilter {
  prefix?: string;
  /** Key/value pairs the object's tag set must all hold (a tag put without Value matches ''). */
  tags?: [string, string][];
  objectSizeGreaterThan?: number;
  objectSizeLessThan?: number;
}

export const STORAGE_CLASSES = [
  'GLACIER',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'DEEP_ARCHIVE',
  'GLACIER_IR',
] as const;
export type TransitionStorageClass = (typeof STORAGE_CLASSES)[number];

export interface LifecycleTransition {
  /** Days after creation (0 allowed); exactly one of `days` / `date`. */
  days?: number;
  /** ms, midnight UTC. */
  date?: number;
  storageClass: TransitionStorageClass;
}

export interface LifecycleNoncurrentTransition {
  noncurrentDays: number;
  newerNoncurrentVersions?: number;
  storageClass: TransitionStorageClass;
}

export interface LifecycleRule {
  id: string;
  status: 'Enabled' | 'Disabled';
  filter: LifecycleFilter;
  /** How the rule was written, so Get renders it as it was put. */
  filterStyle: 'rule-prefix' | 'filter';
  expiration?: { days?: number; date?: number /* ms, midnight UTC */; expiredObjectDeleteMarker?: boolean };
  noncurrentVersionExpiration?: { noncurrentDays: number; newerNoncurrentVersions?: number };
  abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
  /** Parsed, validated and rendered; the planner does not act on them (the stack has one storage class). */
  transitions?: LifecycleTransition[];
  /** Parsed, validated and rendered; the planner does not act on them. */
  noncurrentVersionTransitions?: LifecycleNoncurrentTransition[];
}

/** One version of a key as the planner sees it. versionId 'null' for the null version. */
export interface VersionView {
  key: string;
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
  size: number;
  lastModified: number;
  tags: [string, string][];
  /** ms at which it became noncurrent (its successor's lastModified); undefined for the latest */
  noncurrentSince?: number;
}

export interface UploadView {
  key: string;
  uploadId: string;
  initiated: number;
}

export type LifecycleAction =
  /** The latest version is a live object: delete it as a plain DELETE (no versionId) would. */
  | { type: 'expire-current'; key: string; ruleId: string }
  /** Permanently remove a noncurrent version (a noncurrent delete marker included). */
  | { type: 'delete-version'; key: string; versionId: string; ruleId: string }
  /** Remove an expired object delete marker (the only version left of its key). */
  | { type: 'delete-marker'; key: string; versionId: string; ruleId: string }
  | { type: 'abort-upload'; key: string; uploadId: string; ruleId: string };
