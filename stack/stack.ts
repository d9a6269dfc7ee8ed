// startStack(): the S3 engine, the mail server and the mail API composed into one started
// handle, provisioned from the app's env file exactly as the guide provisions AWS and Gmail.
// Tests get a fresh stack on random ports in memory; `npm run dev:stack` gets fixed ports
// and a data directory.

import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BucketLifecycleConfiguration } from '@aws-sdk/client-s3';
import { appEnvFor } from './app-env.ts';
import { explainListenError } from './cli/listen-errors.ts';
import { readEnvFile } from './config/env-file.ts';
import { type Provisioning, provisioningFromEnv } from './config/provisioning.ts';
import {
  type BucketPolicyChoice,
  DEFAULT_ROOT,
  type Engine,
  type StackPorts,
} from './config/stack-config.ts';
import { type ConsoleServer, startConsoleServer } from './console/server.ts';
import { appDkimRecord, dkimRecordName, generateDkimKey } from './dns/dkim-records.ts';
import { DEFAULT_ZONE_FILE, readZoneFile, withSenderDefaults } from './dns/load-zone.ts';
import { createStackKeys, type StackKeys } from './engines/app-keys.ts';
import { startDockerEngine } from './engines/docker-engine.ts';
import { startEmbeddedEngine } from './engines/embedded-engine.ts';
import { startMinioEngine } from './engines/minio-engine.ts';
import { EngineNotSupportedError } from './engines/not-supported.ts';
import type { Credentials, EngineObjectEvent, S3Engine } from './engines/types.ts';
import { createStackFaults, type StackFaultRule, type StackFaults } from './faults/stack-faults.ts';
import { S3Inspector } from './inspect/s3-inspector.ts';
import { DnsZone, type ZoneRecords } from './mail/auth/dns-zone.ts';
import type { SmtpProfileName, SmtpProfileOptions } from './mail/profiles/types.ts';
import { type MailServer, startMailServer } from './mail/server.ts';
import type { MessageSummary } from './mail/store/types.ts';
import { loadStackPolicies, type StackPolicies } from './policies/load-stack-policies.ts';
import type { DecisionFilter, DecisionRecord } from './s3/authz/index.ts';
import type { AppliedLifecycleAction } from './s3/lifecycle/runner.ts';
import type { RequestLogEntry } from './s3/options.ts';
import type { S3Server } from './s3/server.ts';
import { DEFAULT_LIFECYCLE_FILE, readLifecycleFile } from './seed/lifecycle-file.ts';
import { type SeedEncryption, seedBucket } from './seed/seed-bucket.ts';
import { loadOrCreateLocalCa } from './tls/local-ca.ts';

export const REPO_ENV_FILE = fileURLToPath(new URL('../.env.local', import.meta.url));

export interface StartStackOptions {
  /** @default 'embedded' */
  engine?: Engine;
  /** @default '127.0.0.1' */
  host?: string;
  /** Each 0 (the default) picks a free port. */
  ports?: Partial<StackPorts>;
  /** Where data survives restarts; null keeps it in memory (MinIO then gets a temporary directory). @default null */
  dataDir?: string | null;
  /** Where the local CA lives. @default `<dataDir>/ca`, or an in-memory CA for a memory stack */
  caDir?: string;
  /** The app env to provision from. @default the variables of `envFile` */
  env?: Record<string, string | undefined>;
  /** Variables set on top of `env` (or the env file), e.g. `{ STORAGE_TYPE: 'local' }`. @default none */
  envOverrides?: Record<string, string | undefined>;
  /** @default the repository's .env.local */
  envFile?: string;
  /** The stack's root identity. @default stackroot / stackroot-secret-key */
  root?: Credentials;
  /** @default 'default' (anonymous read of team profile images only) */
  bucketPolicy?: BucketPolicyChoice;
  /** Origins the seeded CORS rule allows. @default the policy file's (the app's web origin) */
  corsOrigins?: string[];
  /** Refuse MAIL before STARTTLS on the submission port. @default true */
  requireStartTls?: boolean;
  /** Largest single S3 PUT, in bytes. @default 5 GiB */
  maxObjectSize?: number;
  /** Largest SMTP message, in bytes. @default 25 MiB */
  smtpSizeLimit?: number;
  /**
   * Answer SMTP like this provider (stack/mail/profiles). A name alone gets the env's
   * SMTP_FROM_EMAIL domain as the verified identity (SES, SendGrid). @default 'none'
   */
  smtpProfile?: SmtpProfileName | SmtpProfileOptions;
  /** Fault rules in force from the start (objects or compact strings). @default [] */
  faults?: (StackFaultRule | string)[];
  /**
   * TXT records the mail server's DKIM / SPF / DMARC checks resolve, exactly (no defaults added).
   * @default the records of `dnsZoneFile`, plus loopback SPF and DMARC for the SMTP_FROM_EMAIL domain
   */
  dnsZone?: ZoneRecords;
  /** `{ "records": { name: [TXT...] } }`. @default stack/dns/zone.json */
  dnsZoneFile?: string;
  /**
   * Generate a DKIM key for the app: its public key goes in the zone, and SMTP_DKIM_* in `env`
   * so the app signs. Without it, a key the env already configures is published in the zone.
   * @default undefined (domain: the SMTP_FROM_EMAIL domain, selector: 'stack')
   */
  dkim?: { domain?: string; selector?: string };
  /**
   * Default encryption seeded on the bucket (PutBucketEncryption); engines without it (MinIO
   * without a KMS) skip it and say so in seedSkipped. @default none (SSE-S3, as on AWS)
   */
  encryption?: SeedEncryption;
  /**
   * KMS keys SSE-KMS requests may name (embedded engine): key ids (UUIDs) or aliases.
   * `alias/aws/s3` is always known; `encryption.kmsKeyId` is added when it is an id or alias.
   * @default ['alias/focusmate-uploads']
   */
  kmsKeys?: string[];
  /**
   * Enable versioning on the bucket (the guide's recommendation) and let the app user list
   * and read versions (stack/policies/app-user-versions-policy.json). @default false
   */
  versioning?: boolean;
  /**
   * Lifecycle rules to seed: `true` for stack/policies/lifecycle.json, a path to a JSON file
   * in the AWS CLI's shape, or the rules themselves. @default none
   */
  lifecycle?: true | string | BucketLifecycleConfiguration;
}

export interface StackEvents {
  mail: [MessageSummary];
  object: [EngineObjectEvent];
  request: [RequestLogEntry];
  'access-denied': [RequestLogEntry];
  /** What a lifecycle pass expired, removed or aborted (embedded engine). */
  lifecycle: [AppliedLifecycleAction[]];
}

export interface Stack extends AsyncDisposable {
  engine: S3Engine;
  /** The app's env pointing at this stack: hand it to the app's config loader. */
  env: Record<string, string>;
  provisioning: Provisioning;
  policies: StackPolicies;
  s3: {
    url: string;
    region: string;
    bucket: string;
    root: Credentials;
    app: Credentials;
    /** Objects and buckets as the root identity sees them, through the S3 API. */
    inspect: S3Inspector;
  };
  mail: MailServer;
  /** The DNS zone mail is authenticated against (also `mail.dns`). */
  dns: DnsZone;
  /** The console (web UI and REST API) base URL. */
  consoleUrl: string;
  /** Mail API (Mailpit-compatible, under /api/v1) base URL: the console's. */
  apiUrl: string;
  caFile: string;
  caCertPem: string;
  /** What the seeding could not apply on this engine. */
  seedSkipped: string[];
  events: EventEmitter<StackEvents>;
  /** Fault injection over both servers (S3 rules need the embedded engine). */
  faults: StackFaults;
  /** Authorization decisions with reasons (the embedded engine explains; MinIO does not). */
  decisions(filter?: DecisionFilter): DecisionRecord[];
  /**
   * Creates a second active access key for the app user with the same policies and switches
   * `env` and `s3.app` to it (build a new app from `env`). NOT_SUPPORTED on MinIO;
   * TOO_MANY_KEYS when the user already holds two, as IAM allows.
   */
  rotateAppKey(): Promise<Credentials>;
  /** Makes an app key inactive: requests signed with it get InvalidAccessKeyId. */
  deactivateKey(accessKeyId: string): Promise<void>;
  /** Deletes an app key: requests signed with it get InvalidAccessKeyId. */
  removeKey(accessKeyId: string): Promise<void>;
  /** The app user's keys, secrets left out. */
  keys: StackKeys;
  /**
   * Moves the stored world's clock forward (Last-Modified of later writes follows) and applies
   * the lifecycle rules at the new time; resolves with what they expired, removed or aborted.
   * Embedded engine only (NOT_SUPPORTED elsewhere: MinIO runs its rules on its own clock).
   */
  advanceTime(ms: number): Promise<AppliedLifecycleAction[]>;
  /** Applies the lifecycle rules now, as the schedule does (embedded engine only). */
  runLifecycle(): Promise<AppliedLifecycleAction[]>;
  /** Empties the bucket (every version), the mailbox and the decision log; keeps the bucket, users and policies. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** A profile named alone verifies the app's sender domain, as the guide's SES setup does. */
function smtpProfile(
  profile: SmtpProfileName | SmtpProfileOptions | undefined,
  env: Record<string, string | undefined>,
  region: string,
): SmtpProfileOptions | undefined {
  if (profile === undefined) return undefined;
  if (typeof profile === 'object') return profile;
  const from = env.SMTP_FROM_EMAIL ?? '';
  const domain = from.includes('@') ? from.slice(from.lastIndexOf('@') + 1) : '';
  return { name: profile, verifiedIdentities: domain ? [domain] : [], region };
}

async function startEngine(
  kind: Engine,
  o: {
    host: string;
    port: number;
    region: string;
    dataDir: string | null;
    scratch: () => Promise<string>;
    root: Credentials;
    maxObjectSize?: number;
    kmsKeys?: string[];
  },
): Promise<S3Engine> {
  try {
    if (kind === 'minio') {
      return await startMinioEngine({
        host: o.host,
        port: o.port,
        region: o.region,
        dataDir: o.dataDir ?? (await o.scratch()),
        root: o.root,
      });
    }
    if (kind === 'docker') return await startDockerEngine({ port: o.port, region: o.region, root: o.root });
    return await startEmbeddedEngine({
      host: o.host,
      port: o.port,
      region: o.region,
      dataDir: o.dataDir && join(o.dataDir, 's3'),
      root: o.root,
      maxObjectSize: o.maxObjectSize,
      kmsKeys: o.kmsKeys,
    });
  } catch (err) {
    throw explainListenError(err, 's3', o.host, o.port);
  }
}

const DEFAULT_KMS_KEYS = ['alias/focusmate-uploads'];

/** The embedded server's lifecycle clock; other engines apply rules on their own time. */
function lifecycleOf(engine: S3Engine): S3Server['lifecycle'] {
  if (!engine.server) {
    throw new EngineNotSupportedError(
      `the ${engine.kind} engine applies lifecycle rules on its own clock; advanceTime and runLifecycle need the embedded engine`,
    );
  }
  return engine.server.lifecycle;
}

/** The keys the embedded engine knows: the option's (or the default), plus the seeded key's. */
function stackKmsKeys(options: StartStackOptions): string[] {
  const keys = [...(options.kmsKeys ?? DEFAULT_KMS_KEYS)];
  const seeded = options.encryption?.kmsKeyId;
  // A bare id or alias is added; an ARN must name a key that is listed.
  if (seeded && !seeded.startsWith('arn:') && !keys.includes(seeded)) keys.push(seeded);
  return keys;
}

export async function startStack(options: StartStackOptions = {}): Promise<Stack> {
  const host = options.host ?? '127.0.0.1';
  const ports: StackPorts = { s3: 0, smtp: 0, smtps: 0, console: 0, ...options.ports };
  const envFile = options.envFile ?? REPO_ENV_FILE;
  const baseEnv = { ...(options.env ?? readEnvFile(envFile)), ...options.envOverrides };
  const provisioning = provisioningFromEnv(baseEnv, options.env && !options.envFile ? 'env' : envFile);
  const root = options.root ?? DEFAULT_ROOT;
  const dataDir = options.dataDir ?? null;
  const policies = await loadStackPolicies({
    bucket: provisioning.bucket,
    bucketPolicy: options.bucketPolicy ?? 'default',
    // APP_WEB_ORIGIN in the env file replaces the policy file's origins.
    corsOrigins: options.corsOrigins ?? (baseEnv.APP_WEB_ORIGIN ? [provisioning.webOrigin] : undefined),
    versioning: options.versioning,
  });
  const lifecycle =
    options.lifecycle === undefined
      ? undefined
      : options.lifecycle === true
        ? await readLifecycleFile(DEFAULT_LIFECYCLE_FILE)
        : typeof options.lifecycle === 'string'
          ? await readLifecycleFile(options.lifecycle)
          : options.lifecycle;

  const cleanups: (() => Promise<void>)[] = [];
  let scratchDir: string | undefined;
  const scratch = async () => {
    if (!scratchDir) {
      scratchDir = await mkdtemp(join(tmpdir(), 'offline-stack-'));
      const dir = scratchDir;
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
    }
    return scratchDir;
  };
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
    cleanups.length = 0;
  };

  try {
    if (dataDir) await mkdir(dataDir, { recursive: true });
    const caDir = options.caDir ?? (dataDir ? join(dataDir, 'ca') : undefined);
    const ca = await loadOrCreateLocalCa(caDir);
    let caFile = ca.caFile;
    if (!caFile) {
      caFile = join(await scratch(), 'ca.pem');
      await writeFile(caFile, ca.caCertPem);
    }

    const engine = await startEngine(options.engine ?? 'embedded', {
      host,
      port: ports.s3,
      region: provisioning.region,
      dataDir,
      scratch,
      root,
      maxObjectSize: options.maxObjectSize,
      kmsKeys: stackKmsKeys(options),
    });
    cleanups.push(() => engine.stop());

    const dns = new DnsZone(
      options.dnsZone ??
        withSenderDefaults(
          await readZoneFile(options.dnsZoneFile ?? DEFAULT_ZONE_FILE),
          baseEnv.SMTP_FROM_EMAIL,
        ),
    );
    const fromDomain = (baseEnv.SMTP_FROM_EMAIL ?? '').split('@').pop() || 'localhost';
    const dkimKey =
      options.dkim &&
      (await generateDkimKey(options.dkim.domain ?? fromDomain, options.dkim.selector ?? 'stack'));
    const published = dkimKey
      ? { name: dkimRecordName(dkimKey.selector, dkimKey.domain), record: dkimKey.record }
      : appDkimRecord(baseEnv, process.cwd());
    if (published && !dns.get(published.name)) dns.set(published.name, [published.record]);

    let mail: MailServer;
    try {
      mail = await startMailServer({
        host,
        ports: { submission: ports.smtp, implicitTls: ports.smtps },
        tls: { mode: options.requireStartTls === false ? 'optional' : 'required' },
        ca,
        auth: provisioning.smtpUsers.length > 0 ? { users: provisioning.smtpUsers } : 'accept-any',
        sizeLimit: options.smtpSizeLimit,
        profile: smtpProfile(options.smtpProfile, baseEnv, provisioning.region),
        store: dataDir ? { type: 'disk', dir: join(dataDir, 'mail') } : 'memory',
        dns,
      });
    } catch (err) {
      throw explainListenError(err, 'smtp', host, ports.smtp);
    }
    cleanups.push(() => mail.stop());

    const faults = createStackFaults(engine.server?.faults, mail.faults);
    let stackKeys: StackKeys | undefined;

    let consoleServer: ConsoleServer;
    try {
      consoleServer = await startConsoleServer({
        faults,
        keys: () => stackKeys,
        host,
        port: ports.console,
        mailApi: mail.api,
        s3: { endpoint: engine.url, region: provisioning.region, rootCredentials: root },
        s3Server: engine.server,
        decisions: engine.server ? (filter) => engine.server?.decisions(filter) ?? [] : undefined,
        overview: () => ({
          engine: engine.kind,
          endpoints: {
            s3: engine.url,
            smtp: `smtp://${host}:${mail.smtpPort}`,
            smtps: `smtps://${host}:${mail.smtpsPort}`,
            console: consoleServer.url,
          },
          credentials: {
            root: { name: 'root', ...root },
            appUser: provisioning.appUser,
            smtp: provisioning.smtpUsers[0] && {
              user: provisioning.smtpUsers[0].user,
              password: provisioning.smtpUsers[0].pass,
            },
          },
          env,
          dataDir: dataDir ?? undefined,
          envFile: options.env ? undefined : envFile,
        }),
      });
    } catch (err) {
      throw explainListenError(err, 'console', host, ports.console);
    }
    cleanups.push(() => consoleServer.stop());

    await engine.provisionUser(provisioning.appUser, {
      name: policies.userPolicy.name,
      json: policies.userPolicyJson,
    });
    const seeded = await seedBucket(
      engine,
      { name: provisioning.bucket, region: provisioning.region },
      policies,
      options.encryption,
      { versioning: options.versioning, lifecycle },
    );
    const inspect = new S3Inspector({
      url: engine.url,
      region: provisioning.region,
      root,
      subscribe: engine.onObjectEvent?.bind(engine),
    });
    cleanups.push(async () => inspect.close());

    const events = new EventEmitter<StackEvents>();
    const unsubscribe = [
      mail.on((e) => {
        if (e.type === 'new') events.emit('mail', e.message);
      }),
      engine.onObjectEvent?.((e) => events.emit('object', e)),
      engine.server?.on('lifecycle', (actions) => events.emit('lifecycle', actions)),
      engine.onRequest?.((entry) => {
        events.emit('request', entry);
        if (entry.decisions.some((d) => !d.allowed)) events.emit('access-denied', entry);
      }),
    ];
    cleanups.push(async () => {
      for (const off of unsubscribe) off?.();
    });

    // After seeding, so the stack's own set-up requests are never faulted.
    for (const rule of options.faults ?? []) faults.add(rule);

    const env = appEnvFor(dkimKey ? { ...baseEnv, ...dkimKey.env } : baseEnv, {
      s3Url: engine.url,
      smtpHost: host,
      smtpPort: mail.smtpPort,
      smtpsPort: mail.smtpsPort,
      caFile,
    });

    const s3 = {
      url: engine.url,
      region: provisioning.region,
      bucket: provisioning.bucket,
      root,
      app: provisioning.appUser as Credentials,
      inspect,
    };
    const keys = createStackKeys(engine, provisioning.appUser.name, (key) => {
      env.AWS_ACCESS_KEY_ID = key.accessKeyId;
      env.AWS_SECRET_ACCESS_KEY = key.secretAccessKey;
      s3.app = { ...key };
      // The console's overview shows the app user's current key.
      provisioning.appUser = { ...provisioning.appUser, ...key };
    });
    stackKeys = keys;

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= cleanup();
      return stopping;
    };
    return {
      engine,
      env,
      provisioning,
      policies,
      s3,
      mail,
      dns,
      apiUrl: consoleServer.url,
      consoleUrl: consoleServer.url,
      caFile,
      caCertPem: ca.caCertPem,
      seedSkipped: seeded.skipped,
      events,
      faults,
      decisions: (filter) => engine.server?.decisions(filter) ?? [],
      advanceTime: async (ms) => lifecycleOf(engine).advance(ms),
      runLifecycle: async () => lifecycleOf(engine).run(),
      rotateAppKey: () => keys.rotateAppKey(),
      deactivateKey: (id) => keys.deactivateKey(id),
      removeKey: (id) => keys.removeKey(id),
      keys,
      async reset() {
        // First, so the reset's own requests go through.
        faults.clear();
        await inspect.emptyBucket(provisioning.bucket);
        await mail.clear();
        // After emptying, so the reset's own requests do not show up in the next test's log.
        engine.server?.clearDecisions();
      },
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
