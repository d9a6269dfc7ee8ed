// startMailServer(): the captured-mail SMTP server as one started handle — both SMTP
// listeners, the store, the mail API (mountable, or on its own port), and typed test helpers.
import { DEFAULT_LEAF_HOSTS, type LocalCa, loadOrCreateLocalCa } from '../tls/local-ca.ts';
import { createMailApi, type MailApiHandler } from './api/create-mail-api.ts';
import { type MailApiListener, startMailApi } from './api/standalone.ts';
import { authRoutes, createMessageAuth, DnsZone, type ZoneRecords } from './auth/index.ts';
import type { AuthVerdicts } from './auth/verdicts.ts';
import { MailError } from './errors.ts';
import { SmtpFaultController, type SmtpFaults } from './faults/smtp-faults.ts';
import type { SmtpFaultRule } from './faults/smtp-rules.ts';
import { type Extraction, extract } from './parse/extract.ts';
import { ParsedCache } from './parse/parsed-cache.ts';
import { resolveProfile, type SmtpProfileName, type SmtpProfileOptions } from './profiles/index.ts';
import { compileFilter, type MessageFilter } from './search/filter.ts';
import { expectNoMessages, type WaitOptions, waitForMessages } from './search/wait.ts';
import type { AuthMode } from './smtp/auth.ts';
import { startSmtpListeners } from './smtp/listeners.ts';
import { createStore, type StoreOptions } from './store/create-store.ts';
import { MailStats } from './store/stats.ts';
import type { MailStore, MessageSummary, StoreEvent } from './store/types.ts';

export interface MailServerPorts {
  /** SMTP submission (STARTTLS offered). 0 picks a free port. @default 0 */
  submission?: number;
  /** SMTP with implicit TLS (the 465 style). 0 picks a free port. @default 0 */
  implicitTls?: number;
  /** Run the mail API on its own port (0 = free port). @default undefined (not served; mount `api` yourself) */
  api?: number;
}

export interface MailServerOptions {
  /** Interface all listeners bind to. @default '127.0.0.1' */
  host?: string;
  /** @default { submission: 0, implicitTls: 0 } */
  ports?: MailServerPorts;
  tls?: {
    /** `required`: MAIL and AUTH before STARTTLS get `530 5.7.0 Must issue a STARTTLS command first`. @default 'optional' */
    mode?: 'optional' | 'required';
    /** Names and addresses in the leaf certificate. @default ['localhost', '127.0.0.1', '::1'] */
    hosts?: string[];
  };
  /** A LocalCa, or the directory of a persisted one (dir/ca.pem). @default a fresh in-memory CA */
  ca?: LocalCa | string;
  /** @default 'accept-any' */
  auth?: AuthMode;
  /** Largest message accepted, in bytes (SIZE); bigger ones get 552 5.3.4. @default 26214400 (25 MiB) */
  sizeLimit?: number;
  /** 'memory' (with caps) or { type: 'disk', dir }, or an already opened store. @default 'memory' */
  store?: StoreOptions | MailStore;
  /** Host name in the greeting and EHLO reply. @default 'localhost' */
  name?: string;
  /** How long stop() lets open transactions finish before cutting them off, in ms. @default 5000 */
  stopTimeout?: number;
  /** Greet loopback clients at once instead of after smtp-server's 100 ms early-talker delay. @default true */
  promptLoopbackGreeting?: boolean;
  /**
   * Behave like a provider where an app notices: `gmail` (AUTH required, Gmail's 535 5.7.8),
   * `ses` (verified sender identities, sandbox recipients, SES's 554), `sendgrid` (user `apikey`,
   * verified Sender Identity). Give an object for the identities and SES's sandbox and region.
   * @default 'none'
   */
  profile?: SmtpProfileName | SmtpProfileOptions;
  /** Fault rules in force from the start (more via the handle's `faults`). @default [] */
  faults?: SmtpFaultRule[];
  /** Clock for fault rules' time to live, ms since epoch. @default Date.now */
  now?: () => number;
  /**
   * The DNS (TXT records) that DKIM, SPF and DMARC checks of received mail see: no real query is
   * ever made; a name not here is NXDOMAIN. A DnsZone is used live (edits apply to later mail).
   * @default an empty zone (every check answers none)
   */
  dns?: { records: ZoneRecords } | DnsZone;
}

export interface FullMessage {
  summary: MessageSummary;
  text: string;
  html: string;
  attachments: {
    partId: string;
    fileName: string;
    contentType: string;
    contentId: string;
    content: Buffer;
  }[];
  headers: Map<string, unknown>;
}

export interface MailServer extends AsyncDisposable {
  host: string;
  smtpPort: number;
  smtpsPort: number;
  /** Base URL of the standalone API when `ports.api` was given. */
  apiUrl?: string;
  caCertPem: string;
  /** Where the CA PEM lives on disk when the CA is persisted. */
  caFile?: string;
  store: MailStore;
  /** The mail API handler, to mount on another server (the console). */
  api: MailApiHandler;
  /** Highest sequence number so far: pass it as `afterSeq` to wait only for newer mail. */
  readonly seq: number;
  /** Messages matching the filter, oldest first. */
  messages(filter?: MessageFilter): MessageSummary[];
  /** The parsed message: bodies and attachment contents (re-parsed from the raw bytes). */
  message(id: string): Promise<FullMessage>;
  raw(id: string): Promise<Buffer>;
  extract(id: string): Promise<Extraction>;
  /** Resolves with `count` (default 1) matching messages, oldest first, as soon as they exist. */
  waitFor(options?: WaitOptions): Promise<MessageSummary[]>;
  /** Resolves after `timeout` ms if no matching message arrived; rejects as soon as one does. */
  expectNone(options?: WaitOptions): Promise<void>;
  clear(): Promise<void>;
  /** Subscribe to new/deleted events; returns the unsubscribe function. */
  on(listener: (event: StoreEvent) => void): () => void;
  /** Fault injection rules: add / list / remove / clear (see stack/mail/faults). */
  readonly faults: SmtpFaults;
  /** The zone the authentication checks resolve against; edit it to see verdicts change. */
  readonly dns: DnsZone;
  /** DKIM / SPF / DMARC verdicts of a stored message, checked on first request against the zone then in force. */
  auth(id: string): Promise<AuthVerdicts>;
  stop(): Promise<void>;
}

function isStore(value: unknown): value is MailStore {
  return typeof value === 'object' && value !== null && 'add' in value && 'subscribe' in value;
}

export async function startMailServer(options: MailServerOptions = {}): Promise<MailServer> {
  const host = options.host ?? '127.0.0.1';
  const sizeLimit = options.sizeLimit ?? 25 * 1024 * 1024;
  if (!Number.isInteger(sizeLimit) || sizeLimit <= 0) {
    throw new MailError(
      'INVALID_OPTIONS',
      `sizeLimit must be a positive integer, got ${String(options.sizeLimit)}`,
    );
  }
  const profile = resolveProfile(options.profile);
  const faults = new SmtpFaultController(options.now ?? Date.now);
  for (const rule of options.faults ?? []) faults.add(rule);
  const ca = typeof options.ca === 'object' ? options.ca : await loadOrCreateLocalCa(options.ca);
  const leaf = ca.issue(options.tls?.hosts ?? [...DEFAULT_LEAF_HOSTS]);
  const ownStore = !isStore(options.store);
  const store = isStore(options.store) ? options.store : await createStore(options.store ?? 'memory');
  const stats = new MailStats(store);
  const cache = new ParsedCache(store);
  const dns = options.dns instanceof DnsZone ? options.dns : new DnsZone(options.dns?.records);
  const messageAuth = createMessageAuth(store, dns, options.name ?? 'localhost');
  const api = createMailApi(store, { caCertPem: ca.caCertPem, stats, routes: authRoutes(messageAuth) });

  let smtp: Awaited<ReturnType<typeof startSmtpListeners>> | undefined;
  let apiListener: MailApiListener | undefined;
  try {
    smtp = await startSmtpListeners({
      host,
      submissionPort: options.ports?.submission ?? 0,
      implicitTlsPort: options.ports?.implicitTls ?? 0,
      keyPem: leaf.keyPem,
      certPem: leaf.certPem,
      tlsMode: options.tls?.mode ?? 'optional',
      auth: options.auth ?? 'accept-any',
      sizeLimit,
      name: options.name ?? 'localhost',
      stopTimeout: options.stopTimeout ?? 5000,
      promptLoopbackGreeting: options.promptLoopbackGreeting ?? true,
      store,
      onReject: () => stats.rejected++,
      faults,
      profile,
    });
    if (options.ports?.api !== undefined) apiListener = await startMailApi(api, host, options.ports.api);
  } catch (err) {
    messageAuth.close();
    await smtp?.stop();
    if (ownStore) await store.close();
    throw err;
  }
  const listeners = smtp;

  const summaryOf = (id: string) => {
    const m = store.get(id);
    if (!m) throw new MailError('NOT_FOUND', `Message ${id} not found`);
    return m;
  };

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await apiListener?.stop();
      await listeners.stop();
      messageAuth.close();
      if (ownStore) await store.close();
    })();
    return stopped;
  };

  return {
    host,
    smtpPort: listeners.submissionPort,
    smtpsPort: listeners.implicitTlsPort,
    apiUrl: apiListener?.url,
    caCertPem: ca.caCertPem,
    caFile: ca.caFile,
    store,
    api,
    get seq() {
      return store.lastSeq;
    },
    messages(filter) {
      return store
        .list()
        .filter(compileFilter(filter))
        .sort((a, b) => a.seq - b.seq);
    },
    async message(id) {
      const summary = summaryOf(id);
      const mail = await cache.parsed(summary);
      return {
        summary,
        text: mail.text ?? '',
        html: typeof mail.html === 'string' ? mail.html : '',
        attachments: mail.attachments.map((a, i) => ({
          partId: a.partId ?? String(i + 1),
          fileName: a.filename ?? '',
          contentType: a.contentType,
          contentId: (a.contentId ?? '').replace(/^<|>$/g, ''),
          content: a.content,
        })),
        headers: mail.headers,
      };
    },
    async raw(id) {
      const data = await store.raw(summaryOf(id).id);
      if (!data) throw new MailError('NOT_FOUND', `Message ${id} not found`);
      return data;
    },
    async extract(id) {
      return extract(await cache.parsed(summaryOf(id)));
    },
    waitFor: (o) => waitForMessages(store, o),
    expectNone: (o) => expectNoMessages(store, o),
    clear: () => store.clear(),
    on: (listener) => store.subscribe(listener),
    // The rule set only; gate/release stay with the listeners.
    faults: {
      add: (rule) => faults.add(rule),
      list: () => faults.list(),
      remove: (id) => faults.remove(id),
      clear: () => faults.clear(),
    },
    dns,
    async auth(id) {
      const verdicts = await messageAuth.verdicts(summaryOf(id).id);
      if (!verdicts) throw new MailError('NOT_FOUND', `Message ${id} not found`);
      return verdicts;
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
