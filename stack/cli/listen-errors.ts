// Turns a listener's raw errno into the sentence a developer needs: which port, which
// service, and the flag or variable that moves it.
import { StackConfigError } from '../config/errors.ts';

const MOVERS: Record<string, string> = {
  s3: '--s3-port N (or STACK_S3_PORT)',
  smtp: '--smtp-port N (or STACK_SMTP_PORT)',
  smtps: '--smtps-port N (or STACK_SMTPS_PORT)',
  console: '--console-port N (or STACK_CONSOLE_PORT)',
};

const NAMES: Record<string, string> = {
  s3: 'S3 API',
  smtp: 'SMTP submission',
  smtps: 'SMTP implicit TLS',
  console: 'console',
};

export function explainListenError(
  err: unknown,
  service: keyof typeof MOVERS,
  host: string,
  port: number,
): Error {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') {
    return new StackConfigError(
      'PORT_IN_USE',
      `Port ${port} (${NAMES[service]}) is already in use on ${host}. Stop whatever holds it ` +
        `(\`ss -ltnp 'sport = :${port}'\` shows it; often a dev:stack already running) or pass ${MOVERS[service]}.`,
    );
  }
  if (code === 'EACCES') {
    return new StackConfigError(
      'PORT_IN_USE',
      `Not allowed to listen on ${host}:${port} (${NAMES[service]}). Pick a port above 1023 with ${MOVERS[service]}.`,
    );
  }
  if (code === 'EADDRNOTAVAIL') {
    return new StackConfigError(
      'FLAG_INVALID',
      `${host} is not an address of this machine (--host / STACK_HOST).`,
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}
