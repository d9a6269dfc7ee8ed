// Reads an env file (`.env.local`) the way `node --env-file` does, so the stack provisions
// exactly what the app will read.
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { StackConfigError } from './errors.ts';

export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new StackConfigError(
      'ENV_FILE_UNREADABLE',
      `Cannot read the env file ${path} (${code ?? String(err)}). Create it (see README) or pass --app-env PATH (npm run dev:stack).`,
    );
  }
  return parseEnv(text) as Record<string, string>;
}
