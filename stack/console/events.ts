// GET /api/stack/events: one Server-Sent Events stream of S3 requests (with their decisions) and
// object changes. Requests are sent in small batches a few ms late, so the console's own calls
// are recognised as its own (their request ids arrive with the responses).
import type { ServerResponse } from 'node:http';
import type { RequestLogEntry } from '../s3/options.ts';
import type { S3Server } from '../s3/server.ts';
import { type DecisionSource, toConsoleRequest } from './request-log.ts';

const HEARTBEAT_MS = 15_000;
const BATCH_MS = 40;

export class ConsoleEvents {
  #clients = new Set<ServerResponse>();
  #pending: RequestLogEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void)[] = [];
  #decisions?: DecisionSource;
  #isOwn: (id: string) => boolean;

  constructor(
    server: Pick<S3Server, 'on'> | undefined,
    decisions: DecisionSource | undefined,
    isOwn: (id: string) => boolean,
  ) {
    this.#decisions = decisions;
    this.#isOwn = isOwn;
    if (!server) return;
    this.#unsubscribe.push(
      server.on('request', (entry) => {
        this.#pending.push(entry);
        this.#timer ??= setTimeout(() => this.#flush(), BATCH_MS);
      }),
      server.on('object-created', (e) =>
        this.#send('object-created', {
          bucket: e.bucket,
          key: e.key,
          size: e.object.size,
          contentType: e.object.contentType,
          lastModified: e.object.lastModified.toISOString(),
        }),
      ),
      server.on('object-removed', (e) => this.#send('object-removed', { bucket: e.bucket, key: e.key })),
    );
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  #flush(): void {
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (this.#clients.size === 0) return;
    const all = this.#decisions?.();
    for (const entry of batch) this.#send('request', toConsoleRequest(entry, all, this.#isOwn));
  }

  #send(event: string, data: unknown): void {
    if (this.#clients.size === 0) return;
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of this.#clients) res.write(frame);
  }

  attach(res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(`event: ready\ndata: {}\n\n`);
    this.#clients.add(res);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    res.once('close', () => {
      clearInterval(heartbeat);
      this.#clients.delete(res);
    });
  }

  /** Ends every open stream (on stop) and detaches from the S3 server. */
  close(): void {
    clearTimeout(this.#timer);
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }
}
