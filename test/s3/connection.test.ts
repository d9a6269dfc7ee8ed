// Connection-level behaviour: a client that stalls gets 400 RequestTimeout and a closed socket;
// a body left unread by an early refusal is drained (small) or the connection closed (large),
// never left to stall the next request; a header sent twice is signed as SigV4 joins it.
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Server, startS3Server } from '../../stack/s3/server.ts';
import { client, ROOT } from './fixtures.ts';
import { signHeaders } from './raw-request.ts';

let srv: S3Server;
beforeAll(async () => {
  srv = await startS3Server({ identities: [ROOT], idleTimeoutMs: 300 });
  const s3 = client(srv.url);
  await s3.send(new CreateBucketCommand({ Bucket: 'conn' }));
  await s3.send(new PutObjectCommand({ Bucket: 'conn', Key: 'k', Body: 'x' }));
  s3.destroy();
});
afterAll(() => srv.stop());

/** Writes `head` (and `body`) on a raw socket and collects everything until the server closes it. */
function rawExchange(head: string, body = ''): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(srv.port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => {
      text += d.toString('utf8');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, ms: Date.now() - started }));
    socket.write(head + body);
  });
}

describe('a stalled client', () => {
  it('that stops sending its body is answered 400 RequestTimeout and disconnected', async () => {
    const host = `127.0.0.1:${srv.port}`;
    const headers = await signHeaders({
      method: 'PUT',
      path: '/conn/slow.bin',
      host,
      identity: ROOT,
      contentSha256: 'UNSIGNED-PAYLOAD',
      headers: { 'content-length': '100' },
    });
    const head = `PUT /conn/slow.bin HTTP/1.1\r\n${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n`;
    const { text, ms } = await rawExchange(head, 'only ten b');
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text).toMatch(/connection: close/i);
    expect(text).toContain('<Code>RequestTimeout</Code>');
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(srv.headObject('conn', 'slow.bin')).toBeUndefined();
    const entry = srv.requests().find((r) => r.key === 'slow.bin');
    expect(entry).toMatchObject({ operation: 'PutObject', status: 400, errorCode: 'RequestTimeout' });
  });

  it('that never finishes its headers is answered 400 RequestTimeout and disconnected', async () => {
    const { text } = await rawExchange('GET /conn/k HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text).toContain('<Code>RequestTimeout</Code>');
    expect(text).toMatch(/x-amz-request-id: [0-9A-F]{16}/);
  });
});

describe('a server busy past the idle timeout', () => {
  it('is not mistaken for a stalled client: the request completes', async () => {
    // The authorizer stands in for a long operation (a large copy) with no bytes on the wire.
    await using busy = await startS3Server({
      identities: [ROOT],
      idleTimeoutMs: 150,
      authorize: async () => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        return { allowed: true, reason: 'slow but allowed' };
      },
    });
    await busy.createBucket('busy');
    const s3 = client(busy.url);
    await s3.send(new PutObjectCommand({ Bucket: 'busy', Key: 'k', Body: 'done' }));
    expect((await busy.getObject('busy', 'k'))?.body.toString()).toBe('done');
    s3.destroy();
  });
});

describe('a body the server did not finish reading', () => {
  /** An anonymous POST Object form: refused after its fields are read, before its file is. */
  function anonymousForm(agent: Agent, fileBytes: number) {
    const boundary = 'xxBOUNDARYxx';
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\nprivate/doc.bin\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="doc.bin"\r\n\r\n`,
      ),
      Buffer.alloc(fileBytes, 7),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return new Promise<{ status: number; connection?: string; reused: boolean }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: srv.port,
          method: 'POST',
          path: '/conn',
          agent,
          headers: {
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'content-length': body.length,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              connection: res.headers.connection,
              reused: req.reusedSocket,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('is drained when small, so the connection serves the next request', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await anonymousForm(agent, 256 * 1024);
    expect(first).toMatchObject({ status: 403, reused: false });
    expect(first.connection).not.toBe('close');
    const second = await anonymousForm(agent, 10);
    expect(second).toMatchObject({ status: 403, reused: true });
    agent.destroy();
  });

  it('closes the connection when large rather than reading it', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await anonymousForm(agent, 4 * 1024 * 1024).catch((err: NodeJS.ErrnoException) => ({
      status: -1,
      connection: err.code,
      reused: false,
    }));
    // The answer arrives with Connection: close (or, at worst, the client sees the close mid-upload).
    expect(first.status === -1 || (first.status === 403 && first.connection === 'close')).toBe(true);
    const next = await anonymousForm(agent, 10);
    expect(next).toMatchObject({ status: 403, reused: false });
    agent.destroy();
  });
});

describe('a header sent twice', () => {
  it('is canonicalised as SigV4 joins repeated headers (",", not Node\'s ", ")', async () => {
    const host = `127.0.0.1:${srv.port}`;
    const headers = await signHeaders({
      method: 'PUT',
      path: '/conn/twice.txt',
      host,
      identity: ROOT,
      body: 'hi',
      headers: { 'x-amz-meta-note': 'a,b' },
    });
    const lines = Object.entries(headers)
      .filter(([k]) => k !== 'x-amz-meta-note')
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    const head = `PUT /conn/twice.txt HTTP/1.1\r\n${lines}x-amz-meta-note: a\r\nx-amz-meta-note: b\r\ncontent-length: 2\r\nconnection: close\r\n\r\n`;
    const { text } = await rawExchange(head, 'hi');
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(srv.headObject('conn', 'twice.txt')).toBeDefined();
  });
});
