// The guide's troubleshooting section ("문제 해결"), one row per entry. The Korean lines are quoted
// verbatim from the guide (seed/000_d8d9d20813e1ddc6.txt); the English is our translation. Every
// failure the doctor reports points at one of these rows, so a developer reading the guide and a
// developer reading the doctor's output see the same advice.

export type GuideSectionId =
  | 'smtp-auth-failed'
  | 'smtp-connection-timeout'
  | 'smtp-tls-failed'
  | 's3-access-denied'
  | 's3-bucket-not-found'
  | 's3-connection-timeout';

export interface GuideSection {
  id: GuideSectionId;
  /** Where it is in the guide, in the guide's own headings. */
  heading: string;
  /** The error the guide names, e.g. `Authentication failed`. */
  error: string;
  service: 'SMTP' | 'S3';
  cause: string;
  /** The guide's **원인** line, verbatim. */
  causeKo: string;
  remedies: readonly string[];
  /** The guide's **해결** bullets, verbatim. */
  remediesKo: readonly string[];
}

const SMTP = '문제 해결 › SMTP 관련 문제';
const S3 = '문제 해결 › S3 관련 문제';

export const GUIDE_SECTIONS: Readonly<Record<GuideSectionId, GuideSection>> = Object.freeze({
  'smtp-auth-failed': {
    id: 'smtp-auth-failed',
    heading: `${SMTP} › 1. "Authentication failed" 오류`,
    error: 'Authentication failed',
    service: 'SMTP',
    cause: 'wrong user name or password, or no app password (Gmail)',
    causeKo: '잘못된 사용자명/비밀번호 또는 앱 비밀번호 미사용 (Gmail)',
    remedies: [
      'with Gmail, check that an app password is used',
      'with AWS SES, check the SMTP credentials',
      'if the password contains special characters, wrap it in quotes',
    ],
    remediesKo: [
      'Gmail의 경우 앱 비밀번호 사용 확인',
      'AWS SES의 경우 SMTP 자격 증명 확인',
      '비밀번호에 특수문자가 있는 경우 따옴표로 감싸기',
    ],
  },
  'smtp-connection-timeout': {
    id: 'smtp-connection-timeout',
    heading: `${SMTP} › 2. "Connection timeout" 오류`,
    error: 'Connection timeout',
    service: 'SMTP',
    cause: 'a firewall or network problem',
    causeKo: '방화벽 또는 네트워크 문제',
    remedies: [
      'check that the firewall allows port 587 (TLS) or 465 (SSL)',
      'check the SMTP_HOST value',
      'check the network connection',
    ],
    remediesKo: [
      '포트 587 (TLS) 또는 465 (SSL) 방화벽 허용 확인',
      '`SMTP_HOST` 값 확인',
      '네트워크 연결 확인',
    ],
  },
  'smtp-tls-failed': {
    id: 'smtp-tls-failed',
    heading: `${SMTP} › 3. "TLS/SSL handshake failed" 오류`,
    error: 'TLS/SSL handshake failed',
    service: 'SMTP',
    cause: 'a TLS configuration problem',
    causeKo: 'TLS 설정 문제',
    remedies: [
      'check SMTP_USE_TLS=true',
      'port 587 needs TLS (STARTTLS), port 465 needs SSL (implicit TLS)',
      'some services need SMTP_USE_TLS=false',
    ],
    remediesKo: [
      '`SMTP_USE_TLS=true` 확인',
      '포트 587 사용 시 TLS, 포트 465 사용 시 SSL 필요',
      '일부 서비스는 `SMTP_USE_TLS=false` 필요',
    ],
  },
  's3-access-denied': {
    id: 's3-access-denied',
    heading: `${S3} › 1. "Access Denied" 오류`,
    error: 'Access Denied',
    service: 'S3',
    cause: 'missing IAM permissions or a wrong access key',
    causeKo: 'IAM 권한 부족 또는 잘못된 액세스 키',
    remedies: [
      "check the IAM user's permission policy",
      'check the access key ID and the secret access key',
      'check the bucket name and region',
    ],
    remediesKo: ['IAM 사용자 권한 정책 확인', '액세스 키 ID와 비밀 액세스 키 확인', '버킷 이름과 리전 확인'],
  },
  's3-bucket-not-found': {
    id: 's3-bucket-not-found',
    heading: `${S3} › 2. "Bucket not found" 오류`,
    error: 'Bucket not found',
    service: 'S3',
    cause: 'a typo in the bucket name, or a region mismatch',
    causeKo: '버킷 이름 오타 또는 리전 불일치',
    remedies: [
      'check the AWS_S3_BUCKET value',
      'check that AWS_S3_REGION is the region the bucket was created in',
      'check in the AWS console that the bucket exists',
    ],
    remediesKo: [
      '`AWS_S3_BUCKET` 값 확인',
      '`AWS_S3_REGION` 값이 버킷 생성 리전과 일치하는지 확인',
      'AWS 콘솔에서 버킷 존재 확인',
    ],
  },
  's3-connection-timeout': {
    id: 's3-connection-timeout',
    heading: `${S3} › 3. "Connection timeout" 오류`,
    error: 'Connection timeout',
    service: 'S3',
    cause: 'a network problem or an AWS service outage',
    causeKo: '네트워크 문제 또는 AWS 서비스 장애',
    remedies: [
      'check the network connection',
      'check the AWS service status: https://status.aws.amazon.com/',
      'check the VPC endpoint settings (when running inside a VPC)',
    ],
    remediesKo: [
      '네트워크 연결 확인',
      'AWS 서비스 상태 확인: [AWS Status](https://status.aws.amazon.com/)',
      'VPC 엔드포인트 설정 확인 (VPC 내부에서 실행 시)',
    ],
  },
});

/** The guide's "설정 확인 및 테스트" steps the doctor performs (or corrects). */
export const GUIDE_STEPS = Object.freeze({
  smtpSettings: '설정 확인 및 테스트 › SMTP 설정 확인 › 1. 환경변수 확인',
  smtpSend: '설정 확인 및 테스트 › SMTP 설정 확인 › 2. 이메일 전송 테스트',
  s3Settings: '설정 확인 및 테스트 › S3 설정 확인 › 1. 환경변수 확인',
  s3Connection: '설정 확인 및 테스트 › S3 설정 확인 › 2. S3 연결 테스트',
});
