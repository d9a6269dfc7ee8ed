import { escapeHtml, singleLine } from './escape-html.ts';

export type EmailKind =
  | 'verification-submitted'
  | 'verification-approved'
  | 'verification-rejected'
  | 'team-invitation';

/** A rendered message: what is sent (or, with SMTP disabled, logged). */
export interface EmailContent {
  kind: EmailKind;
  subject: string;
  text: string;
  html: string;
}

export interface VerificationSubmittedInput {
  teamName: string;
}
export interface VerificationApprovedInput {
  teamName: string;
}
export interface VerificationRejectedInput {
  teamName: string;
  reason: string;
}
export interface TeamInvitationInput {
  teamName: string;
  /** Who invited; omitted from the text when absent. */
  inviterName?: string;
  /** The http(s) link the invitee opens to accept. */
  acceptUrl: string;
  /** When the invitation stops working, shown to the invitee when given. */
  expiresAt?: Date;
}

const SIGNATURE_TEXT = '\n\n— Focus Mate';

/** Paragraphs of plain text become escaped <p> elements; the caller's strings never reach HTML raw. */
function paragraphs(lines: string[]): string {
  return lines.map((line) => `<p>${escapeHtml(line).replace(/\n/g, '<br>')}</p>`).join('\n');
}

function layout(title: string, bodyHtml: string): string {
  return [
    '<!doctype html>',
    '<html lang="ko">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family: sans-serif; line-height: 1.6; color: #222;">',
    bodyHtml,
    '<p style="color: #888;">— Focus Mate</p>',
    '</body>',
    '</html>',
  ].join('\n');
}

function render(kind: EmailKind, subject: string, lines: string[], extraHtml = ''): EmailContent {
  const cleanSubject = singleLine(subject);
  return {
    kind,
    subject: cleanSubject,
    text: lines.join('\n\n') + SIGNATURE_TEXT,
    html: layout(cleanSubject, paragraphs(lines) + extraHtml),
  };
}

export function verificationSubmittedEmail(input: VerificationSubmittedInput): EmailContent {
  const team = singleLine(input.teamName);
  return render('verification-submitted', `[Focus Mate] '${team}' 팀 인증 요청이 접수되었습니다`, [
    `안녕하세요, '${team}' 팀 리더님.`,
    '팀 인증 요청이 정상적으로 접수되었습니다. 제출하신 서류를 관리자가 검토한 뒤 결과를 이메일로 알려드립니다.',
    `Your verification request for the team "${team}" has been received. We will email you once it has been reviewed.`,
  ]);
}

export function verificationApprovedEmail(input: VerificationApprovedInput): EmailContent {
  const team = singleLine(input.teamName);
  return render('verification-approved', `[Focus Mate] '${team}' 팀 인증이 승인되었습니다`, [
    `안녕하세요, '${team}' 팀 리더님.`,
    '팀 인증이 승인되었습니다. 이제 인증된 팀으로 Focus Mate의 모든 기능을 이용하실 수 있습니다.',
    `The team "${team}" has been verified.`,
  ]);
}

export function verificationRejectedEmail(input: VerificationRejectedInput): EmailContent {
  const team = singleLine(input.teamName);
  return render('verification-rejected', `[Focus Mate] '${team}' 팀 인증이 반려되었습니다`, [
    `안녕하세요, '${team}' 팀 리더님.`,
    '제출하신 팀 인증 요청이 반려되었습니다.',
    `반려 사유: ${input.reason}`,
    '사유를 확인하시고 서류를 보완하여 다시 제출해 주세요.',
    `The verification request for the team "${team}" was rejected. Reason: ${input.reason}`,
  ]);
}

function assertHttpUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`an invitation link must be http(s), got ${parsed.protocol}`);
  }
  return parsed.href;
}

export function teamInvitationEmail(input: TeamInvitationInput): EmailContent {
  const team = singleLine(input.teamName);
  const inviter = input.inviterName ? singleLine(input.inviterName) : undefined;
  const link = assertHttpUrl(input.acceptUrl);
  const expiry = input.expiresAt ? `이 초대는 ${input.expiresAt.toISOString()}까지 유효합니다.` : undefined;
  const who = inviter ? `${inviter}님이 ` : '';
  const lines = [
    `안녕하세요. ${who}Focus Mate의 '${team}' 팀에 초대했습니다.`,
    `아래 링크를 열어 초대를 수락해 주세요:\n${link}`,
    ...(expiry ? [expiry] : []),
    `You have been invited to join the team "${team}" on Focus Mate. Accept: ${link}`,
  ];
  const button = `\n<p><a href="${escapeHtml(link)}" style="display: inline-block; padding: 10px 16px; background: #3b5bdb; color: #fff; text-decoration: none; border-radius: 6px;">초대 수락하기 (Accept invitation)</a></p>`;
  return render('team-invitation', `[Focus Mate] ${who}'${team}' 팀에 초대했습니다`, lines, button);
}
