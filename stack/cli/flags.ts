// Command-line flags of `npm run dev:stack`, parsed with node:util (no framework): every
// flag has an env-variable twin resolved in stack-config.ts.
import { parseArgs } from 'node:util';
import { StackConfigError } from '../config/errors.ts';
import type { StackFlags } from '../config/stack-config.ts';

export const USAGE = `Usage: npm run dev:stack -- [options]

  --engine NAME          embedded (default) | minio | docker            [STACK_ENGINE]
  --host ADDRESS         listen address (default 127.0.0.1; others warn) [STACK_HOST]
  --s3-port N            S3 API port (default 9000)                      [STACK_S3_PORT]
  --smtp-port N          SMTP submission, STARTTLS (default 1025)        [STACK_SMTP_PORT]
  --smtps-port N         SMTP implicit TLS (default 1465)                [STACK_SMTPS_PORT]
  --console-port N       console and mail API (default 8025)             [STACK_CONSOLE_PORT]
  --app-env PATH         the app's env file to provision from (default .env.local) [STACK_ENV_FILE]
  --data-dir PATH        where data survives restarts (default .stack)   [STACK_DATA_DIR]
  --ephemeral            keep everything in memory                       [STACK_EPHEMERAL=true]
  --reset                wipe the data directory before starting
  --bucket-policy NAME   default (public profile images only) | guide-public | none [STACK_BUCKET_POLICY]
  --allow-plain-smtp     do not require STARTTLS on the submission port  [STACK_ALLOW_PLAIN_SMTP=true]
  -h, --help             show this help
`;

export function parseStackFlags(argv: string[]): StackFlags & { help?: boolean } {
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        engine: { type: 'string' },
        host: { type: 'string' },
        's3-port': { type: 'string' },
        'smtp-port': { type: 'string' },
        'smtps-port': { type: 'string' },
        'console-port': { type: 'string' },
        'app-env': { type: 'string' },
        'data-dir': { type: 'string' },
        ephemeral: { type: 'boolean' },
        reset: { type: 'boolean' },
        'bucket-policy': { type: 'string' },
        'allow-plain-smtp': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    return values;
  } catch (err) {
    throw new StackConfigError('FLAG_INVALID', `${(err as Error).message}\n\n${USAGE}`);
  }
}
