// stop() is bounded by stopTimeoutMs: a client whose request is in the middle of its body (the
// operation is reading it, the rest never comes) does not hold stop() until the idle timeout;
// its connection is destroyed at the bound. stop() called again, at once or later, resolves.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { type S3Server, startS3Server } from '../../stack/s3/server.ts';
import { ROOT } from './fixtures.ts';
import { signHeaders } from './raw-request.ts';

const STOP_TIMEOUT_MS = 300;
/** Slack for a loaded 2-core CI machine; far below the idle timeout that would end it otherwise. */
const SLACK_MS = 2000;

const servers: S3Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) await s.stop();
});

async function server(): Promise<S3Server> {
  // The idle timeout far beyond the test's timeout: only the stop bound can end the stall.
  const srv = await startS3Server({
    identities: [ROOT],
    stopTimeoutMs: STOP_TIMEOUT_MS,
    idleTimeoutMs: 600_000,
  });
  servers.push(srv);
  await srv.createBucket('stall');
  return srv;
}

/**
 * A signed PUT declaring 1 MiB whose first 10 bytes only are sent, after the server's
 * 100 Continue: PutObject has started reading the body when this resolves.
 */
async function stalledUpload(srv: S3Server): Promise<Socket> {
  const length = 1024 * 1024;
  const headers = await signHeaders({
    method: 'PUT',
    path: '/stall/never-finished',
    host: `127.0.0.1:${srv.port}`,
    identity: ROOT,
    contentSha256: 'UNSIGNED-PAYLOAD',
    headers: { 'content-length': String(length), expect: '100-continue' },
  });
  const socket = connect(srv.port, '127.0.0.1');
  sockets.push(socket);
  await once(socket, 'connect');
  let received = '';
  const continued = new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer) => {
      received += c.toString('latin1');
      if (/^HTTP\/1\.1 100 Continue\r\n\r\n/.test(received)) {
        socket.off('data', onData);
        resolve();
      } else if (received.includes('\r\n\r\n')) reject(new Error(`not a 100 Continue: ${received}`));
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed before 100 Continue: ${received}`)));
  });
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.write(`PUT /stall/never-finished HTTP/1.1\r\n${head}\r\n`);
  await continued;
  socket.write(Buffer.alloc(10, 1));
  return socket;
}

/** Resolves 'stopped' with stop(), or 'late' if it is still pending at `ms`. */
async function within(p: Promise<void>, ms: number): Promise<'stopped' | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    return await Promise.race([p.then(() => 'stopped' as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('stop() with a request stalled mid-body', () => {
  it('resolves within stopTimeoutMs (plus slack) and closes the stalled connection', async () => {
    const srv = await server();
    const socket = await stalledUpload(srv);
    const closed = once(socket, 'close');
    let answer = '';
    socket.on('data', (c: Buffer) => {
      answer += c.toString('latin1');
    });
    const t0 = performance.now();
    const first = srv.stop();
    const second = srv.stop();
    expect(
      await within(
        Promise.all([first, second]).then(() => {}),
        STOP_TIMEOUT_MS + SLACK_MS,
      ),
    ).toBe('stopped');
    expect(performance.now() - t0).toBeLessThan(STOP_TIMEOUT_MS + SLACK_MS);
    await closed;
    expect(socket.destroyed).toBe(true);
    // Cut, not completed: no 200 went out and nothing was stored.
    expect(answer).not.toContain('200 OK');
    expect(srv.headObject('stall', 'never-finished')).toBeUndefined();
    // Called again once stopped: resolves at once.
    expect(await within(srv.stop(), SLACK_MS)).toBe('stopped');
  });

  it('stops accepting at once, while the stalled request still holds it', async () => {
    const srv = await server();
    await stalledUpload(srv);
    const stopping = srv.stop();
    const late = connect(srv.port, '127.0.0.1');
    sockets.push(late);
    const outcome = await new Promise<string | undefined>((resolve) => {
      late.once('connect', () => resolve('connected'));
      late.once('error', (err: NodeJS.ErrnoException) => resolve(err.code));
    });
    expect(outcome).toBe('ECONNREFUSED');
    expect(await within(stopping, STOP_TIMEOUT_MS + SLACK_MS)).toBe('stopped');
  });
});
