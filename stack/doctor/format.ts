// The two renderings of a report: a short human one (one line per check, details indented) and
// one JSON document for CI.
import type { Check, CheckStatus } from './check.ts';
import type { DoctorReport } from './diagnose.ts';

const MARK: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '-' };

export interface FormatOptions {
  /** `ko` adds the guide's Korean lines under each failure. @default 'en' */
  lang?: 'en' | 'ko';
}

function indent(text: string, pad = '    '): string {
  return text
    .split('\n')
    .map((line) => `${pad}${line}`)
    .join('\n');
}

function formatCheck(check: Check, lang: 'en' | 'ko'): string {
  const out = [`${MARK[check.status]} ${check.id.padEnd(22)} ${check.detail}`];
  for (const line of check.lines ?? []) out.push(indent(line));
  if (check.status === 'fail' || check.status === 'warn') {
    const app = check.appCode && check.appCode !== check.code ? ` (the app: ${check.appCode})` : '';
    if (check.code) out.push(indent(`code: ${check.code}${app}`));
    if (check.cause) out.push(indent(`cause: ${check.cause}`));
    if (check.remedy) out.push(indent(`remedy: ${check.remedy}`));
    if (check.guideSection) out.push(indent(`guide: ${check.guideSection}`));
    if (lang === 'ko' && check.causeKo) out.push(indent(`원인: ${check.causeKo}`));
    if (lang === 'ko' && check.remedyKo) {
      out.push(indent('해결:'));
      for (const line of check.remedyKo.split('\n')) out.push(indent(`- ${line}`, '      '));
    }
  }
  return out.join('\n');
}

export function formatHuman(report: DoctorReport, options: FormatOptions = {}): string {
  const lang = options.lang ?? 'en';
  const count = (s: CheckStatus) => report.checks.filter((c) => c.status === s).length;
  const summary = report.ok
    ? `All checks passed${count('warn') ? `, with ${count('warn')} warning(s)` : ''}.`
    : `${count('fail')} check(s) failed${count('warn') ? `, ${count('warn')} warning(s)` : ''}.`;
  return [
    `FocusMate doctor: ${report.source}`,
    '',
    ...report.checks.map((c) => formatCheck(c, lang)),
    '',
    summary,
    '',
  ].join('\n');
}

export function formatJson(report: DoctorReport, exitCode: number): string {
  return `${JSON.stringify({ ok: report.ok, exitCode, source: report.source, checks: report.checks }, null, 2)}\n`;
}
