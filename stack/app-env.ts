// The env the app runs with against a started stack: the app's own env file, with the
// endpoints, ports and CA the stack actually bound. The app learns about the stack only
// through these variables, exactly as it would learn about AWS and Gmail in production.

export interface StackEndpoints {
  s3Url: string;
  smtpHost: string;
  smtpPort: number;
  smtpsPort: number;
  caFile: string;
}

/** Ports at which the app expects implicit TLS (the guide's 465, and the stack's 1465). */
const IMPLICIT_TLS_PORTS = new Set(['465', '1465']);

/** Whether the app's env asks for implicit TLS (the 465 style) rather than STARTTLS. */
function wantsImplicitTls(base: Record<string, string | undefined>): boolean {
  if (base.SMTP_USE_SSL !== undefined) return /^(true|1|yes)$/i.test(base.SMTP_USE_SSL);
  return IMPLICIT_TLS_PORTS.has(base.SMTP_PORT ?? '');
}

export function appEnvFor(
  base: Record<string, string | undefined>,
  endpoints: StackEndpoints,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) if (value !== undefined) env[name] = value;
  env.AWS_ENDPOINT_URL_S3 = endpoints.s3Url;
  env.SMTP_HOST = endpoints.smtpHost;
  // The stack's implicit-TLS port is not 465, so the app must be told it is SSL explicitly.
  if (wantsImplicitTls(base)) {
    env.SMTP_PORT = String(endpoints.smtpsPort);
    env.SMTP_USE_SSL = 'true';
  } else {
    env.SMTP_PORT = String(endpoints.smtpPort);
  }
  env.SMTP_TLS_CA_FILE = endpoints.caFile;
  return env;
}

/** The variables whose value differs from the env file, for the start-up banner. */
export function envOverrides(
  base: Record<string, string | undefined>,
  env: Record<string, string>,
): string[] {
  return Object.keys(env).filter((name) => base[name] !== env[name]);
}
