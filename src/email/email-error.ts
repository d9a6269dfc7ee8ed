export type EmailErrorCode =
  | 'AUTH_FAILED'
  | 'CONNECTION_TIMEOUT'
  | 'CONNECTION_REFUSED'
  | 'CONNECTION_FAILED'
  | 'TLS_FAILED'
  | 'RECIPIENT_REJECTED'
  | 'SENDER_REJECTED'
  | 'MESSAGE_TOO_LARGE'
  | 'SERVER_ERROR'
  | 'INVALID_ADDRESS'
  | 'UNKNOWN';

interface Remedy {
  summary: string;
  remedy: string;
  /** The guide's own (Korean) wording where it has one. */
  remedyKo: string;
}

/** One row per code; remedies are the guide's troubleshooting section ("문제 해결 → SMTP"). */
export const EMAIL_ERRORS: Readonly<Record<EmailErrorCode, Remedy>> = Object.freeze({
  AUTH_FAILED: {
    summary: 'SMTP authentication failed',
    remedy:
      'check SMTP_USER and SMTP_PASSWORD: with Gmail use an app password, with AWS SES use the SMTP credentials (not the IAM keys), and quote a password that contains special characters',
    remedyKo:
      'Gmail의 경우 앱 비밀번호 사용 확인, AWS SES의 경우 SMTP 자격 증명 확인, 비밀번호에 특수문자가 있는 경우 따옴표로 감싸기',
  },
  CONNECTION_TIMEOUT: {
    summary: 'SMTP connection timed out',
    remedy:
      'allow port 587 (TLS) or 465 (SSL) through the firewall, check the SMTP_HOST value, and check the network connection',
    remedyKo: '포트 587 (TLS) 또는 465 (SSL) 방화벽 허용 확인, SMTP_HOST 값 확인, 네트워크 연결 확인',
  },
  CONNECTION_REFUSED: {
    summary: 'SMTP connection refused',
    remedy:
      'nothing accepts connections at SMTP_HOST:SMTP_PORT: check both values (587 for TLS, 465 for SSL), that the mail server is running, and the firewall',
    remedyKo: 'SMTP_HOST 값 확인, 포트 587 (TLS) 또는 465 (SSL) 확인, 방화벽 허용 확인, 네트워크 연결 확인',
  },
  CONNECTION_FAILED: {
    summary: 'SMTP connection failed',
    remedy: 'check the SMTP_HOST value (DNS name) and the network connection',
    remedyKo: 'SMTP_HOST 값 확인, 네트워크 연결 확인',
  },
  TLS_FAILED: {
    summary: 'TLS/SSL handshake failed',
    remedy:
      'check SMTP_USE_TLS=true; port 587 needs TLS (STARTTLS) and port 465 needs SSL; some services need SMTP_USE_TLS=false; a server certificate from a private CA needs SMTP_TLS_CA_FILE',
    remedyKo:
      'SMTP_USE_TLS=true 확인, 포트 587 사용 시 TLS, 포트 465 사용 시 SSL 필요, 일부 서비스는 SMTP_USE_TLS=false 필요',
  },
  RECIPIENT_REJECTED: {
    summary: 'the SMTP server rejected the recipient',
    remedy: 'check the recipient address, and that SMTP_FROM_EMAIL is a sender the service has verified',
    remedyKo: '수신자 이메일 주소 확인, 발신자 이메일 주소(SMTP_FROM_EMAIL) 검증 확인',
  },
  SENDER_REJECTED: {
    summary: 'the SMTP service refused the sender',
    remedy:
      'verify SMTP_FROM_EMAIL (or its domain) with the service: an SES verified identity (and, in the SES sandbox, the recipients too), a SendGrid Sender Identity',
    remedyKo: '발신자 이메일 주소 검증 (SMTP_FROM_EMAIL을 SES/SendGrid에서 인증된 발신자로 등록)',
  },
  MESSAGE_TOO_LARGE: {
    summary: 'the SMTP server refused the message as too large',
    remedy: 'send a smaller message: link to stored files instead of attaching them',
    remedyKo: '메시지 크기가 서버 한도를 넘었습니다. 파일은 첨부 대신 링크로 보내세요',
  },
  SERVER_ERROR: {
    summary: 'the SMTP server refused the message',
    remedy: 'a 4xx reply is temporary, retry later; a 5xx reply is permanent, read the server response',
    remedyKo: '4xx 응답은 일시적 오류이므로 잠시 후 다시 시도, 5xx 응답은 서버 응답 내용 확인',
  },
  INVALID_ADDRESS: {
    summary: 'invalid email address',
    remedy: 'pass a single address such as user@example.com',
    remedyKo: '올바른 이메일 주소 하나를 입력하세요 (예: user@example.com)',
  },
  UNKNOWN: {
    summary: 'sending email failed',
    remedy: 'read the cause; check the SMTP_* settings against the guide',
    remedyKo: 'SMTP 환경변수 설정 확인',
  },
});

export interface EmailErrorDetails {
  /** The SMTP reply code, when the server sent one. */
  responseCode?: number;
  /** The server's reply line, when there was one. */
  response?: string;
  /** The SMTP command in flight (`CONN`, `AUTH PLAIN`, `RCPT TO`, `DATA`...). */
  command?: string;
  /** A 4xx reply: the same message may go through later. */
  transient?: boolean;
  /** How many attempts were made before giving up. */
  attempts?: number;
  cause?: unknown;
}

/** A failed send, with a stable code and the guide's remedy in its message. */
export class EmailError extends Error {
  readonly code: EmailErrorCode;
  /** What happened, without the summary and remedy around it. */
  readonly detail: string;
  readonly remedy: string;
  readonly remedyKo: string;
  readonly responseCode: number | undefined;
  readonly response: string | undefined;
  readonly command: string | undefined;
  readonly transient: boolean;
  readonly attempts: number;

  constructor(code: EmailErrorCode, detail: string, details: EmailErrorDetails = {}) {
    const row = EMAIL_ERRORS[code];
    super(`${row.summary}: ${detail}. Remedy: ${row.remedy}`, { cause: details.cause });
    this.name = 'EmailError';
    this.code = code;
    this.detail = detail;
    this.remedy = row.remedy;
    this.remedyKo = row.remedyKo;
    this.responseCode = details.responseCode;
    this.response = details.response;
    this.command = details.command;
    this.transient = details.transient ?? false;
    this.attempts = details.attempts ?? 1;
  }

  /** The same error, recording how many attempts were made. */
  withAttempts(attempts: number): EmailError {
    return new EmailError(this.code, `${this.detail} (after ${attempts} attempts)`, {
      responseCode: this.responseCode,
      response: this.response,
      command: this.command,
      transient: this.transient,
      attempts,
      cause: this.cause,
    });
  }
}
