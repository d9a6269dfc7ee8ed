// The one block `npm run dev:stack` prints when ready, and the one-line event log after it.
import type { StackConfig } from '../config/stack-config.ts';
import type { EngineObjectEvent } from '../engines/types.ts';
import type { MessageSummary } from '../mail/store/types.ts';
import type { AppliedLifecycleAction } from '../s3/lifecycle/runner.ts';
import type { RequestLogEntry } from '../s3/options.ts';
import type { Stack } from '../stack.ts';

export function banner(stack: Stack, config: StackConfig, readyMs: number, overrides: string[]): string {
  const { s3, mail, provisioning } = stack;
  const lines = [
    `FocusMate offline stack ready in ${readyMs} ms (engine: ${stack.engine.kind})`,
    '',
    `  S3 API        ${s3.url}   region ${s3.region}, bucket ${s3.bucket}`,
    `  SMTP          smtp://${mail.host}:${mail.smtpPort}   STARTTLS ${config.requireStartTls ? 'required' : 'optional'}, AUTH ${provisioning.smtpUsers.map((u) => u.user).join(', ') || 'any'}`,
    `  SMTPS         smtps://${mail.host}:${mail.smtpsPort}   implicit TLS`,
    `  Console       ${stack.apiUrl}   mail API at /api/v1`,
    '',
    `  Root          ${s3.root.accessKeyId} / ${s3.root.secretAccessKey}   (stack admin, console)`,
    `  App user      ${provisioning.appUser.name}: ${s3.app.accessKeyId} / (AWS_SECRET_ACCESS_KEY in the env file)`,
    `  CA            ${stack.caFile}   (SMTP_TLS_CA_FILE)`,
    `  Env file      ${config.envFile}`,
    `  Data          ${config.dataDir ?? 'in memory (--ephemeral)'}`,
  ];
  const retention = [
    config.versioning ? 'versioning on (app user may list and read versions)' : '',
    config.lifecycle
      ? `lifecycle rules from ${config.lifecycle === true ? 'stack/policies/lifecycle.json' : config.lifecycle}`
      : '',
  ].filter(Boolean);
  if (retention.length) lines.push(`  Bucket        ${retention.join('; ')}`);
  if (overrides.length > 0) {
    lines.push('', '  The app must use these values instead of the env file (ports moved by flags):');
    for (const name of overrides) lines.push(`    ${name}=${stack.env[name]}`);
  }
  if (stack.seedSkipped.length > 0)
    lines.push('', `  Not seeded on this engine: ${stack.seedSkipped.join('; ')}`);
  lines.push('', `  Run the app: node --env-file=${config.envFile} your-app.ts    Stop: Ctrl-C`, '');
  return lines.join('\n');
}

const time = () => new Date().toISOString().slice(11, 23);

export function mailLine(m: MessageSummary): string {
  const to = [...m.to, ...m.cc, ...m.bcc].map((a) => a.address).join(', ');
  return `${time()} mail     ${m.from?.address ?? '(no from)'} → ${to}  "${m.subject}"`;
}

export function objectLine(e: EngineObjectEvent): string {
  return e.type === 'object-created'
    ? `${time()} stored   s3://${e.bucket}/${e.key} (${e.size ?? '?'} bytes)`
    : `${time()} deleted  s3://${e.bucket}/${e.key}`;
}

export function lifecycleLine(a: AppliedLifecycleAction): string {
  const what =
    a.type === 'abort-upload'
      ? `aborted upload ${a.uploadId.slice(0, 12)}… of`
      : a.type === 'expire-current'
        ? 'expired'
        : a.type === 'delete-marker'
          ? `removed expired delete marker ${a.versionId} of`
          : `removed version ${a.versionId} of`;
  return `${time()} lifecycle ${what} s3://${a.bucket}/${a.key} (rule ${a.ruleId})`;
}

export function deniedLine(entry: RequestLogEntry): string {
  const d = entry.decisions.find((x) => !x.allowed);
  return `${time()} DENIED   ${entry.principal ?? 'anonymous'} ${d?.action ?? entry.operation} ${d?.resource ?? ''} — ${d?.reason ?? entry.errorCode ?? ''}`;
}
