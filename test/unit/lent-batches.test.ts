// The lent-buffer pool and batch feeds behind the MD5 offload and the blob writer: batches are
// cut at the buffer size, a stopped feed never swallows the wakeup a waiting one needs, a feed
// whose worker died gives its buffers back (so the living never run dry), and buffers lent to
// a dead worker are replaced. The on-demand worker reports a death once and starts anew.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { BatchFeed, LentPool, OnDemandWorker } from '../../stack/util/lent-batches.ts';

/** A feed whose batches are recorded (as copies) and lent until `giveBack`. */
function recordingFeed(pool: LentPool, alive = () => true) {
  const sent: { bytes: ArrayBuffer; text: string }[] = [];
  const feed = new BatchFeed(pool, (bytes, length) => {
    if (!alive()) return false;
    sent.push({ bytes, text: Buffer.from(bytes, 0, length).toString() });
    return true;
  });
  const giveBack = () => {
    for (const s of sent.splice(0)) pool.returned(s.bytes);
  };
  return { feed, sent, giveBack };
}

const ready = () => {
  const r = { called: false, fn: () => {} };
  r.fn = () => {
    r.called = true;
  };
  return r;
};

describe('BatchFeed', () => {
  it('cuts batches at the buffer size and sends the rest on flush', () => {
    const pool = new LentPool(4, 8);
    const { feed, sent } = recordingFeed(pool);
    const r = ready();
    feed.write(Buffer.from('abcdefghij'), r.fn);
    expect(r.called).toBe(true);
    feed.flush();
    expect(sent.map((s) => s.text)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('waits for a buffer, and a feed stopped while waiting does not swallow the wakeup', () => {
    const pool = new LentPool(4, 1);
    const a = recordingFeed(pool);
    a.feed.write(Buffer.from('abcd'), () => {});
    const b = recordingFeed(pool);
    const c = recordingFeed(pool);
    const rb = ready();
    const rc = ready();
    b.feed.write(Buffer.from('x'), rb.fn);
    c.feed.write(Buffer.from('y'), rc.fn);
    expect([rb.called, rc.called]).toEqual([false, false]);
    b.feed.stop();
    a.giveBack();
    expect(rc.called).toBe(true);
    expect(rb.called).toBe(false);
  });

  it('gives its buffers back once its worker is gone, and lets bytes pass', () => {
    const pool = new LentPool(4, 2);
    let alive = true;
    const dying = recordingFeed(pool, () => alive);
    dying.feed.write(Buffer.from('abcd'), () => {});
    // The worker dies, with one buffer lent to it.
    alive = false;
    pool.lost();
    // More than the pool holds: none stays with the dead worker, and ready still comes.
    const r = ready();
    dying.feed.write(Buffer.from('efghijklmnop'), r.fn);
    expect(r.called).toBe(true);
    const other = recordingFeed(pool);
    const ro = ready();
    other.feed.write(Buffer.from('12345678'), ro.fn);
    expect(ro.called).toBe(true);
    expect(other.sent.map((s) => s.text)).toEqual(['1234', '5678']);
  });

  it('replaces buffers lent to a worker that died, waking who waits', () => {
    const pool = new LentPool(4, 2);
    const lost = recordingFeed(pool);
    lost.feed.write(Buffer.from('abcdefgh'), () => {});
    const waiter = recordingFeed(pool);
    const r = ready();
    waiter.feed.write(Buffer.from('wxyz'), r.fn);
    expect(r.called).toBe(false);
    pool.lost();
    expect(r.called).toBe(true);
    expect(waiter.sent.map((s) => s.text)).toEqual(['wxyz']);
  });
});

describe('OnDemandWorker', () => {
  it('starts on use, reports a death once, refuses posts to the dead one and starts anew', async () => {
    const replies: unknown[] = [];
    const deaths: Error[] = [];
    const code =
      "import { parentPort } from 'node:worker_threads'; parentPort.on('message', (m) => parentPort.postMessage(m * 2));";
    const w = new OnDemandWorker<number>(
      new URL(`data:text/javascript,${encodeURIComponent(code)}`),
      'doubler',
      (r) => replies.push(r),
      (err) => deaths.push(err),
    );
    const first = w.get();
    const answered = once(first, 'message');
    expect(w.post(first, 21)).toBe(true);
    await answered;
    expect(replies).toEqual([42]);
    const exited = once(first, 'exit');
    await first.terminate();
    await exited;
    expect(deaths).toHaveLength(1);
    expect(w.alive(first)).toBe(false);
    expect(w.post(first, 1)).toBe(false);
    const second = w.get();
    expect(second).not.toBe(first);
    await second.terminate();
  });
});
