// Record writes on the writer threads: a slot file is created (with its directory) as a frame,
// rewritten in place on later writes, created from a spare when one is given; many writes at
// once all land; a failure reports the system's error code and leaves no file; removals go
// in the order asked, each file becoming a spare.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openFrame } from '../../stack/s3/storage/record-frame.ts';
import { retireRecords, writeRecord } from '../../stack/s3/storage/record-writer.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function layout(): Promise<{ root: string; tmp: string }> {
  const root = await mkdtemp(join(tmpdir(), 'record-writer-'));
  dirs.push(root);
  const tmp = join(root, 'tmp');
  await mkdir(tmp);
  return { root, tmp };
}

async function frameOf(path: string) {
  const f = openFrame(await readFile(path));
  return f && { seq: f.seq, text: f.payload.toString() };
}

describe('writeRecord', () => {
  it('creates a slot file (and its directory), then rewrites it in place', async () => {
    const { root } = await layout();
    const path = join(root, 'meta', 'ab', 'rec.json');
    await writeRecord([Buffer.from('{"v":'), Buffer.from('1}')], { path, create: true, seq: 1 });
    expect(await frameOf(path)).toEqual({ seq: 1, text: '{"v":1}' });
    const inode = (await stat(path)).ino;
    await writeRecord([Buffer.from('{"v":22}')], { path, create: false, seq: 3 });
    expect(await frameOf(path)).toEqual({ seq: 3, text: '{"v":22}' });
    // The same file: no new inode, no rename.
    expect((await stat(path)).ino).toBe(inode);
  });

  it('keeps a short stale tail after a shorter rewrite, and cuts a long one', async () => {
    const { root } = await layout();
    const path = join(root, 'rec.json');
    await writeRecord([Buffer.alloc(3000, 0x61)], { path, create: true, seq: 1 });
    await writeRecord([Buffer.from('short')], { path, create: false, seq: 2 });
    expect(await frameOf(path)).toEqual({ seq: 2, text: 'short' });
    // Within the slack: left (a same-size rewrite then allocates nothing).
    expect((await stat(path)).size).toBe(20 + 3000);
    await writeRecord([Buffer.alloc(50_000, 0x62)], { path, create: false, seq: 3 });
    await writeRecord([Buffer.from('tiny')], { path, create: false, seq: 4 });
    expect((await stat(path)).size).toBe(20 + 4);
    expect(await frameOf(path)).toEqual({ seq: 4, text: 'tiny' });
  });

  it('creates from a spare: the spare file becomes the slot, written over', async () => {
    const { root, tmp } = await layout();
    const spare = join(tmp, 'spare');
    await writeFile(spare, 'x'.repeat(9000));
    const inode = (await stat(spare)).ino;
    const path = join(root, 'new', 'rec.json');
    await writeRecord([Buffer.from('{"spare":true}')], { path, create: true, spare, seq: 1 });
    expect(await frameOf(path)).toEqual({ seq: 1, text: '{"spare":true}' });
    expect((await stat(path)).ino).toBe(inode);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('creates the file anew when the slot it was told exists is gone', async () => {
    const { root } = await layout();
    const path = join(root, 'rec.json');
    await writeRecord([Buffer.from('{}')], { path, create: false, seq: 5 });
    expect(await frameOf(path)).toEqual({ seq: 5, text: '{}' });
  });

  it('never writes over a slot file it was told is not there (EEXIST), with or without a spare', async () => {
    const { root, tmp } = await layout();
    const path = join(root, 'rec.json');
    await writeFile(path, 'the current record');
    await expect(writeRecord([Buffer.from('{}')], { path, create: true, seq: 1 })).rejects.toMatchObject({
      code: 'EEXIST',
    });
    await writeFile(join(tmp, 'spare'), 'old');
    await expect(
      writeRecord([Buffer.from('{}')], { path, create: true, spare: join(tmp, 'spare'), seq: 1 }),
    ).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(path, 'utf8')).toBe('the current record');
    expect(await readdir(tmp)).toEqual([]);
  });

  it('lands many concurrent writes to different records', async () => {
    const { root } = await layout();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        writeRecord([Buffer.alloc(3000 + i, i)], { path: join(root, 'r', `${i}`), create: true, seq: 1 }),
      ),
    );
    for (let i = 0; i < 40; i++) {
      const f = openFrame(await readFile(join(root, 'r', `${i}`)))!;
      expect(f.payload.equals(Buffer.alloc(3000 + i, i))).toBe(true);
    }
  });

  it('reports the error code and leaves no file when the record cannot be placed', async () => {
    const { root, tmp } = await layout();
    // A file where the record's directory should be.
    await writeFile(join(root, 'blocked'), 'not a directory');
    const path = join(root, 'blocked', 'rec.json');
    await expect(writeRecord([Buffer.from('{}')], { path, create: true, seq: 1 })).rejects.toMatchObject({
      code: 'ENOTDIR',
    });
    // The same from a spare: the spare, written over, is removed too.
    await writeFile(join(tmp, 'spare'), 'old');
    await expect(
      writeRecord([Buffer.from('{}')], { path, create: true, spare: join(tmp, 'spare'), seq: 1 }),
    ).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(await readdir(tmp)).toEqual([]);
    expect(await readFile(join(root, 'blocked'), 'utf8')).toBe('not a directory');
  });
});

describe('retireRecords', () => {
  it('moves each file into tmp/ as a spare, in order, and answers false for one not there', async () => {
    const { root, tmp } = await layout();
    const a = join(root, 'rec.json.1');
    const b = join(root, 'rec.json');
    await writeFile(a, 'older');
    await writeFile(b, 'current');
    const inodes = [(await stat(a)).ino, (await stat(b)).ino];
    const kept = await retireRecords(
      [a, join(root, 'missing'), b],
      [join(tmp, 's1'), join(tmp, 's2'), join(tmp, 's3')],
    );
    expect(kept).toEqual([true, false, true]);
    await expect(stat(a)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(b)).rejects.toMatchObject({ code: 'ENOENT' });
    expect([(await stat(join(tmp, 's1'))).ino, (await stat(join(tmp, 's3'))).ino]).toEqual(inodes);
    expect((await readdir(tmp)).sort()).toEqual(['s1', 's3']);
  });
});
