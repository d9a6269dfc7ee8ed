export interface MailAddress {
  name: string;
  address: string;
}

export interface AttachmentSummary {
  /** MIME part path from mailparser (e.g. "2", "1.2"), stable for a given raw message. */
  partId: string;
  fileName: string;
  contentType: string;
  contentId: string;
  size: number;
  sha256: string;
  /** Related/inline parts (Mailpit lists them under `Inline`). */
  inline: boolean;
}

/** One SMTP reply the server gave during the transaction that produced the message. */
export interface ReplyRecord {
  command: 'AUTH' | 'MAIL' | 'RCPT' | 'DATA';
  code: number;
  argument?: string;
}

/** How the message reached us, so a test can assert "sent over STARTTLS as user X". */
export interface SessionRecord {
  clientAddress: string;
  clientPort: number;
  /** The name the client gave in EHLO/HELO. */
  ehlo: string;
  listener: 'submission' | 'implicit-tls';
  tls: { protocol: string; cipher: string; upgraded: boolean } | null;
  auth: { mechanism: string; user: string } | null;
  mailFrom: string;
  rcptTo: string[];
  replies: ReplyRecord[];
}

/**
 * What the store keeps in memory per message. Bodies and attachment contents are not here:
 * they are re-parsed from the raw message on demand, so 10,000 messages stay small.
 */
export interface MessageSummary {
  id: string;
  /** Monotonically increasing across the store's life, including restarts of a disk store. */
  seq: number;
  /** When the final 250 was given, ISO 8601. */
  created: string;
  messageId: string;
  subject: string;
  /** The Date header, ISO 8601, or '' when absent/invalid. */
  date: string;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  /** Envelope recipients that appear in neither To nor Cc (plus any Bcc header). */
  bcc: MailAddress[];
  replyTo: MailAddress[];
  returnPath: string;
  size: number;
  attachments: AttachmentSummary[];
  snippet: string;
  tags: string[];
  /** Isolation scopes: SMTP username, plus-address tags, X-Test-Scope header. */
  scopes: string[];
  read: boolean;
  session: SessionRecord;
  /** Lower-cased header values, body text and file names, capped; what free-text search matches. */
  searchText: string;
}

export type StoreEvent =
  | { type: 'new'; message: MessageSummary }
  | { type: 'deleted'; ids: string[]; scopes: string[][]; reason: 'api' | 'evicted' | 'clear' };

export type StoreListener = (event: StoreEvent) => void;

/** Everything the SMTP side, the API and the test helpers need from a store. */
export interface MailStore {
  readonly kind: 'memory' | 'disk';
  /** Durably stores the message; resolves only when it survives a crash (disk) or is indexed (memory). */
  add(raw: Buffer, summary: Omit<MessageSummary, 'id' | 'seq' | 'created' | 'read'>): Promise<MessageSummary>;
  get(id: string): MessageSummary | undefined;
  /** Newest first. */
  list(): MessageSummary[];
  latest(): MessageSummary | undefined;
  raw(id: string): Promise<Buffer | undefined>;
  delete(ids: string[], reason?: 'api' | 'clear'): Promise<string[]>;
  clear(): Promise<void>;
  setRead(ids: string[], read: boolean): void;
  /** Highest sequence number handed out so far (0 before the first message). */
  readonly lastSeq: number;
  readonly count: number;
  readonly totalBytes: number;
  subscribe(listener: StoreListener): () => void;
  close(): Promise<void>;
}
