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
  --smtp-profile NAME    none (default) | gmail | ses | sendgrid: answer like that provider [STACK_SMTP_PROFILE]
                         (ses: SMTP_FROM_EMAIL's domain is the verified identity)
  --versioning           enable bucket versioning; the app user may list and read versions [STACK_VERSIONING=true]
  --lifecycle FILE       seed lifecycle rules: "default" (stack/policies/lifecycle.json) or a JSON
                         file in aws s3api's shape; applied every minute    [STACK_LIFECYCLE_FILE]
  --fault RULE           inject a fault (repeatable): TARGET:MATCH=ACTION[:NAME=VALUE...]
  --faults FILE          fault rules from a JSON file (an array of rules or compact strings) [STACK_FAULTS_FILE]
  -h, --help             show this help

Fault rules (also GET/POST/DELETE /api/stack/faults on the console):
  s3:PutObject=503:SlowDown:first=2         SlowDown on the first two PutObject requests
  s3:GetObject,HeadObject=500:every=2       InternalError on every 2nd of them
  s3:*=delay:1500:principal=anonymous       anonymous requests wait 1.5 s
  s3:GetObject=hang:key=uploads/*           requests never answered
  s3:*=drop:p=0.1:seed=7                    10% of connections dropped (seeded, reproducible)
  smtp:DATA=421:4.7.0:Try again later:first=1
  smtp:RCPT=550:5.1.1:to=ghost@*            one recipient refused
  smtp:connect=hang                         no greeting (the guide's "Connection timeout")
  smtp:STARTTLS=tls:alert                   handshake aborted (alert | untrusted-cert | reset)
  smtp:connect=tls:untrusted-cert           implicit-TLS listener with an untrusted certificate
  ACTION   s3: STATUS[:Code] | Code | delay:MS | hang | drop
           smtp: CODE[:X.Y.Z|-][:text] | delay:MS | hang | drop | tls[:alert|untrusted-cert|reset]
  MATCH    s3: * or Operation[,Operation] (PutObject, GetObject...); smtp: connect | EHLO |
           STARTTLS | AUTH | MAIL | RCPT | DATA
  OPTIONS  first=N every=N p=0..1 seed=N ttl=MS|Ns|Nm max=N id=NAME
           s3: bucket=GLOB key=GLOB principal=NAME|anonymous
           smtp: from=GLOB to=GLOB scope=GLOB listener=submission|implicit-tls
  Values cannot contain ':' (use --faults FILE for those).
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
        'smtp-profile': { type: 'string' },
        versioning: { type: 'boolean' },
        lifecycle: { type: 'string' },
        fault: { type: 'string', multiple: true },
        faults: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    return values;
  } catch (err) {
    throw new StackConfigError('FLAG_INVALID', `${(err as Error).message}\n\n${USAGE}`);
  }
}
