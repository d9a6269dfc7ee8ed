// One line of the doctor's report, and the helpers that build one. A failure always names what
// happened (the real error and its code), the likely cause, and the guide's remedy.
import { GUIDE_SECTIONS, type GuideSectionId } from './guide-sections.ts';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface Check {
  /** Stable, dotted: `smtp.auth`, `s3.put`, `settings.sendgrid-user`. */
  id: string;
  status: CheckStatus;
  /** What was checked and what happened, on one line. */
  detail: string;
  /** Further facts (server replies, extensions, settings), shown indented. */
  lines?: string[];
  /** The real error code: an SMTP reply code, an S3 error code, a socket or OpenSSL code. */
  code?: string;
  /** The code the app's own adapter gives the same failure (EmailError / StorageError). */
  appCode?: string;
  /** Why it most likely happened. */
  cause?: string;
  /** The guide's 원인 line for this failure, verbatim. */
  causeKo?: string;
  /** What to do: the specific fix first, then the guide's remedies. */
  remedy?: string;
  /** The guide's 해결 lines for this failure, verbatim, one per line. */
  remedyKo?: string;
  /** The guide's troubleshooting entry, in its own headings. */
  guideSection?: string;
  guideSectionId?: GuideSectionId;
  /** The guide's "설정 확인 및 테스트" step this check performs. */
  guideStep?: string;
}

export interface Failure {
  detail: string;
  code?: string;
  appCode?: string;
  /** The specific cause found; the guide's general cause is added after it. */
  cause: string;
  /** The specific fix, put before the guide's remedies. */
  fix?: string;
  section?: GuideSectionId;
  lines?: string[];
}

/** A failed (or warning) check pointing at the guide's troubleshooting entry. */
export function failed(id: string, f: Failure, status: 'fail' | 'warn' = 'fail'): Check {
  const check: Check = { id, status, detail: f.detail, cause: f.cause };
  if (f.lines?.length) check.lines = f.lines;
  if (f.code !== undefined) check.code = f.code;
  if (f.appCode !== undefined) check.appCode = f.appCode;
  const section = f.section ? GUIDE_SECTIONS[f.section] : undefined;
  const remedies = [...(f.fix ? [f.fix] : []), ...(section?.remedies ?? [])];
  if (remedies.length > 0) check.remedy = remedies.join('; ');
  if (section) {
    check.cause = `${f.cause} (the guide: ${section.cause})`;
    check.causeKo = section.causeKo;
    check.remedyKo = section.remediesKo.join('\n');
    check.guideSection = section.heading;
    check.guideSectionId = section.id;
  }
  return check;
}

export function passed(id: string, detail: string, lines?: string[]): Check {
  return lines?.length ? { id, status: 'pass', detail, lines } : { id, status: 'pass', detail };
}

export function skipped(id: string, detail: string): Check {
  return { id, status: 'skip', detail };
}

export function warning(id: string, detail: string, cause: string, remedy: string): Check {
  return { id, status: 'warn', detail, cause, remedy };
}
