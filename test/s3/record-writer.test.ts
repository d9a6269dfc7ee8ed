// Record writes on the writer threads: the file is replaced whole, the old one kept as a spare
// under the name asked for, missing directories made, many writes at once all land, and a
// failure reports the system's error code and leaves no temporary file.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { retireRecord, writeRecord } from '../../stack/s3/storage/record-writer.ts';

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

describe('writeRecord', () => {
  it('creates a record (and its directory), then replaces it keeping the old file as a spare', async () => {
    const { root, tmp } = await layout();
    const dest = join(root, 'meta', 'ab', 'rec.json');
    const first = await writeRecord([Buffer.from('{"v":'), Buffer.from('1}')], {
      tmp: join(tmp, 'a'),
      spare: false,
      dest,
      old: join(tmp, 'old-1'),
    });
    expect(first).toBe(false);
    expect(await readFile(dest, 'utf8')).toBe('{"v":1}');
    const inode = (await stat(dest)).ino;
    const second = await writeRecord([Buffer.from('{"v":22}')], {
      tmp: join(tmp, 'b'),
      spare: false,
      dest,
      old: join(tmp, 'old-2'),
    });
    expect(second).toBe(true);
    expect(await readFile(dest, 'utf8')).toBe('{"v":22}');
    // The previous file lives on as the spare, under the name asked for.
    expect((await stat(join(tmp, 'old-2'))).ino).toBe(inode);
    expect(await readdir(tmp)).toEqual(['old-2']);
  });

  it('writes over a longer spare in place and cuts it to the new length', async () => {
    const { root, tmp } = await layout();
    const spare = join(tmp, 'spare');
    await writeFile(spare, 'x'.repeat(5000));
    const dest = join(root, 'rec');
    await writeRecord([Buffer.from('short')], { tmp: spare, spare: true, dest, old: join(tmp, 'o') });
    expect(await readFile(dest, 'utf8')).toBe('short');
    expect(await readdir(tmp)).toEqual([]);
  });

  it('lands many concurrent writes to different records', async () => {
    const { root, tmp } = await layout();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        writeRecord([Buffer.alloc(3000 + i, i)], {
          tmp: join(tmp, `t${i}`),
          spare: false,
          dest: join(root, 'r', `${i}`),
          old: join(tmp, `o${i}`),
        }),
      ),
    );
    for (let i = 0; i < 40; i++)
      expect((await readFile(join(root, 'r', `${i}`))).equals(Buffer.alloc(3000 + i, i))).toBe(true);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('reports the error code and leaves nothing in tmp/ when the record cannot be placed', async () => {
    const { root, tmp } = await layout();
    // A file where the record's directory should be.
    await writeFile(join(root, 'blocked'), 'not a directory');
    const failed = writeRecord([Buffer.from('{}')], {
      tmp: join(tmp, 't'),
      spare: false,
      dest: join(root, 'blocked', 'rec.json'),
      old: join(tmp, 'o'),
    });
    await expect(failed).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(await readdir(tmp)).toEqual([]);
    // A new temporary name that already exists is refused, never overwritten.
    await writeFile(join(tmp, 'taken'), 'someone else');
    await expect(
      writeRecord([Buffer.from('{}')], {
        tmp: join(tmp, 'taken'),
        spare: false,
        dest: join(root, 'x'),
        old: join(tmp, 'o'),
      }),
    ).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(join(tmp, 'taken'), 'utf8')).toBe('someone else');
  });

  it('retires a record into tmp/ as a spare, and answers false for one that is not there', async () => {
    const { root, tmp } = await layout();
    const dest = join(root, 'rec.json');
    await writeFile(dest, '{"gone":true}');
    const inode = (await stat(dest)).ino;
    expect(await retireRecord(dest, join(tmp, 'spare'))).toBe(true);
    await expect(stat(dest)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await stat(join(tmp, 'spare'))).ino).toBe(inode);
    expect(await retireRecord(dest, join(tmp, 'spare-2'))).toBe(false);
    expect(await readdir(tmp)).toEqual(['spare']);
  });
});
