// What the stack provisions, read from the app's own env file: the bucket in its region,
// the app's IAM user and keys, SMTP AUTH, and the web origin CORS must allow.
import { StackConfigError } from './errors.ts';

export interface Provisioning {
  bucket: string;
  region: string;
  appUser: { name: string; accessKeyId: string; secretAccessKey: string };
  smtpUsers: { user: string; pass: string }[];
  /** Origin of the app's web front end, allowed by the seeded CORS rule. */
  webOrigin: string;
}

/** The guide's IAM user name. */
export const APP_USER_NAME = 'focusmate-s3-user';
export const DEFAULT_WEB_ORIGIN = 'http://localhost:3000';

export function provisioningFromEnv(env: Record<string, string | undefined>, envFile: string): Provisioning {
  const problems: string[] = [];
  const need = (name: string): string => {
    const value = env[name];
    if (!value) problems.push(`${name} is missing or empty`);
    return value ?? '';
  };
  const bucket = need('AWS_S3_BUCKET');
  const accessKeyId = need('AWS_ACCESS_KEY_ID');
  const secretAccessKey = need('AWS_SECRET_ACCESS_KEY');
  const region = env.AWS_S3_REGION || 'us-east-1';
  if (secretAccessKey && secretAccessKey.length < 8) {
    problems.push('AWS_SECRET_ACCESS_KEY must be at least 8 characters (MinIO refuses shorter secrets)');
  }
  if (accessKeyId && accessKeyId.length < 3) problems.push('AWS_ACCESS_KEY_ID must be at least 3 characters');
  if (problems.length > 0) {
    throw new StackConfigError(
      'ENV_INVALID',
      `${envFile}: ${problems.join('; ')}. The stack provisions from these values.`,
    );
  }
  const smtpUsers = env.SMTP_USER ? [{ user: env.SMTP_USER, pass: env.SMTP_PASSWORD ?? '' }] : [];
  return {
    bucket,
    region,
    appUser: { name: APP_USER_NAME, accessKeyId, secretAccessKey },
    smtpUsers,
    webOrigin: env.APP_WEB_ORIGIN || DEFAULT_WEB_ORIGIN,
  };
}
