// `dev:stack --faults FILE.json`: a JSON array of rules (objects with a target, or compact
// strings), or an object with such an array under `rules`.
import { readFileSync } from 'node:fs';
import { parseCompactRule } from './compact.ts';
import { invalid } from './errors.ts';
import type { StackFaultRule } from './stack-faults.ts';

export function parseFaultFile(json: string, source: string): StackFaultRule[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw invalid(`${source}: not JSON (${(err as Error).message})`);
  }
  const rules = Array.isArray(data) ? data : (data as { rules?: unknown })?.rules;
  if (!Array.isArray(rules)) throw invalid(`${source}: expected an array of rules, or { "rules": [...] }`);
  return rules.map((r, i) => {
    if (typeof r === 'string') return parseCompactRule(r);
    if (typeof r !== 'object' || r === null)
      throw invalid(`${source}: rule ${i} is neither an object nor a string`);
    return r as StackFaultRule;
  });
}

export function loadFaultFile(path: string): StackFaultRule[] {
  let json: string;
  try {
    json = readFileSync(path, 'utf8');
  } catch (err) {
    throw invalid(`cannot read the faults file ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  return parseFaultFile(json, path);
}
