// The stack's `faults`: one rule list over both servers. A rule goes to the S3 engine or the
// mail server by its `target` (inferred: a rule matching an SMTP `stage` is an smtp rule), and
// may be given in the compact syntax (compact.ts).
import type { SmtpFaults } from '../mail/faults/smtp-faults.ts';
import { parseSmtpRule, type SmtpFaultRule } from '../mail/faults/smtp-rules.ts';
import type { S3Faults } from '../s3/faults/s3-faults.ts';
import { parseS3Rule, type S3FaultRule } from '../s3/faults/s3-rules.ts';
import { parseCompactRule } from './compact.ts';
import { FaultError, invalid } from './errors.ts';
import type { FaultRuleCounters } from './schedule.ts';

export type FaultTarget = 's3' | 'smtp';
export type StackFaultRule = (S3FaultRule & { target?: 's3' }) | (SmtpFaultRule & { target?: 'smtp' });
export type ListedStackRule =
  | (S3FaultRule & FaultRuleCounters & { target: 's3' })
  | (SmtpFaultRule & FaultRuleCounters & { target: 'smtp' });

export interface StackFaults {
  /** Adds a rule (an object, or a compact string such as `s3:PutObject=503:SlowDown:first=2`); returns its id. */
  add(rule: StackFaultRule | string): string;
  /** S3 rules first, then SMTP rules, each with counters and status. */
  list(): ListedStackRule[];
  /** Removes the rule with this id from whichever server has it; false if none did. */
  remove(id: string): boolean;
  /** Removes every rule, or only one server's. */
  clear(target?: FaultTarget): void;
}

function targetOf(rule: StackFaultRule): FaultTarget {
  if (rule.target === 's3' || rule.target === 'smtp') return rule.target;
  if (rule.target !== undefined)
    throw invalid(`target must be s3 or smtp, got ${JSON.stringify(rule.target)}`);
  const stage = (rule.match as { stage?: unknown } | undefined)?.stage;
  return stage === undefined ? 's3' : 'smtp';
}

/** `s3` is undefined when the engine is not the embedded one (MinIO cannot inject faults). */
export function createStackFaults(s3: S3Faults | undefined, smtp: SmtpFaults): StackFaults {
  const taken = (id: string) =>
    (s3?.list().some((r) => r.id === id) ?? false) || smtp.list().some((r) => r.id === id);
  return {
    add(input) {
      const rule = typeof input === 'string' ? parseCompactRule(input) : input;
      if (typeof rule !== 'object' || rule === null)
        throw invalid('a fault rule must be an object or a compact string');
      if (rule.id !== undefined && taken(rule.id))
        throw new FaultError('DUPLICATE_ID', `a fault rule with id '${rule.id}' already exists`);
      if (targetOf(rule) === 'smtp') return smtp.add(rule as SmtpFaultRule);
      if (!s3)
        throw new FaultError(
          'NOT_SUPPORTED',
          'S3 fault injection needs the embedded S3 engine (this stack runs MinIO)',
        );
      return s3.add(rule as S3FaultRule);
    },
    list() {
      return [
        ...(s3?.list() ?? []).map((r) => ({ ...r, target: 's3' as const })),
        ...smtp.list().map((r) => ({ ...r, target: 'smtp' as const })),
      ];
    },
    remove(id) {
      return (s3?.remove(id) ?? false) || smtp.remove(id);
    },
    clear(target) {
      if (target !== 'smtp') s3?.clear();
      if (target !== 's3') smtp.clear();
    },
  };
}

/** Checks a rule as the server it targets will (FaultError INVALID_RULE), before any server runs. */
export function validateStackRule(rule: StackFaultRule): void {
  if (targetOf(rule) === 'smtp') parseSmtpRule(rule);
  else parseS3Rule(rule);
}
