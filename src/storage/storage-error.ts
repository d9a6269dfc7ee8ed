export type StorageErrorCode =
  | 'TOO_LARGE'
  | 'NOT_FOUND'
  | 'ACCESS_DENIED'
  | 'BUCKET_NOT_FOUND'
  | 'INVALID_KEY'
  | 'INVALID_METADATA'
  | 'INVALID_VERSION_ID'
  | 'REGION_MISMATCH'
  | 'CONNECTION_FAILED'
  | 'UNSUPPORTED'
  | 'UNKNOWN';

interface Remedy {
  summary: string;
  remedy: string;
  remedyKo: string;
}

/** One row per code; the S3 remedies are the guide's troubleshooting section ("문제 해결 → S3"). */
export const STORAGE_ERRORS: Readonly<Record<StorageErrorCode, Remedy>> = Object.freeze({
  TOO_LARGE: {
    summary: 'file too large',
    remedy: 'upload a smaller file, or raise STORAGE_MAX_FILE_SIZE (bytes)',
    remedyKo: '더 작은 파일을 올리거나 STORAGE_MAX_FILE_SIZE(바이트)를 늘리세요',
  },
  NOT_FOUND: {
    summary: 'no such object',
    remedy: 'check the key; the object may have been deleted',
    remedyKo: '키를 확인하세요. 파일이 삭제되었을 수 있습니다',
  },
  ACCESS_DENIED: {
    summary: 'access denied',
    remedy:
      "check the IAM user's policy (s3:PutObject, s3:GetObject, s3:DeleteObject, s3:ListBucket on the bucket and bucket/*), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and the bucket name and region",
    remedyKo: 'IAM 사용자 권한 정책 확인, 액세스 키 ID와 비밀 액세스 키 확인, 버킷 이름과 리전 확인',
  },
  BUCKET_NOT_FOUND: {
    summary: 'bucket not found',
    remedy:
      'check AWS_S3_BUCKET for typos, that AWS_S3_REGION is the region the bucket was created in, and that the bucket exists in the AWS console',
    remedyKo:
      'AWS_S3_BUCKET 값 확인, AWS_S3_REGION 값이 버킷 생성 리전과 일치하는지 확인, AWS 콘솔에서 버킷 존재 확인',
  },
  INVALID_KEY: {
    summary: 'invalid object key',
    remedy:
      'use keys of non-empty "/"-separated segments without "..", ".", backslashes, NUL or a leading "/"',
    remedyKo: '".."나 역슬래시, 절대 경로가 없는 올바른 키를 사용하세요',
  },
  INVALID_METADATA: {
    summary: 'invalid object metadata',
    remedy:
      'use metadata keys of a-z, 0-9, "-" and "_", and printable ASCII values (percent-encode anything else)',
    remedyKo: '메타데이터 키는 영문 소문자·숫자·-·_, 값은 ASCII 문자만 사용하세요 (그 외는 퍼센트 인코딩)',
  },
  INVALID_VERSION_ID: {
    summary: 'invalid version id',
    remedy:
      'use a version id exactly as listVersions returned it ("null" for an object written without versioning)',
    remedyKo: 'listVersions 가 돌려준 버전 ID를 그대로 사용하세요 (버전 관리 없이 저장된 객체는 "null")',
  },
  REGION_MISMATCH: {
    summary: 'the bucket is in another region',
    remedy: 'set AWS_S3_REGION to the region the bucket was created in',
    remedyKo: 'AWS_S3_REGION 값이 버킷 생성 리전과 일치하는지 확인',
  },
  CONNECTION_FAILED: {
    summary: 'connection to the storage service failed',
    remedy:
      'check the network connection, the AWS service status (https://status.aws.amazon.com/), the VPC endpoint when running inside a VPC, and AWS_ENDPOINT_URL_S3 when it is set',
    remedyKo: '네트워크 연결 확인, AWS 서비스 상태 확인, VPC 엔드포인트 설정 확인 (VPC 내부에서 실행 시)',
  },
  UNSUPPORTED: {
    summary: 'not supported by this storage',
    remedy: 'use STORAGE_TYPE=s3 (against the dev stack or AWS) for presigned URLs',
    remedyKo: '사전 서명 URL은 STORAGE_TYPE=s3 에서만 지원됩니다',
  },
  UNKNOWN: {
    summary: 'storage operation failed',
    remedy: 'read the cause; check the STORAGE_* and AWS_* settings against the guide',
    remedyKo: 'STORAGE_* / AWS_* 환경변수 설정 확인',
  },
});

export interface StorageErrorDetails {
  key?: string;
  /** HTTP status from S3, when there was a response. */
  httpStatus?: number;
  /** The S3 error code (`NoSuchKey`, `AccessDenied`...), when there was one. */
  s3Code?: string;
  cause?: unknown;
}

/** A storage failure with a stable code and the guide's remedy in its message. */
export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly detail: string;
  readonly remedy: string;
  readonly remedyKo: string;
  readonly key: string | undefined;
  readonly httpStatus: number | undefined;
  readonly s3Code: string | undefined;

  constructor(code: StorageErrorCode, detail: string, details: StorageErrorDetails = {}) {
    const row = STORAGE_ERRORS[code];
    super(`${row.summary}: ${detail}. Remedy: ${row.remedy}`, { cause: details.cause });
    this.name = 'StorageError';
    this.code = code;
    this.detail = detail;
    this.remedy = row.remedy;
    this.remedyKo = row.remedyKo;
    this.key = details.key;
    this.httpStatus = details.httpStatus;
    this.s3Code = details.s3Code;
  }
}
