// One directory, two files per message: <id>.eml (the raw bytes, exactly as received) and
// <id>.json (the summary). The .json is the commit point: a message exists once its summary
// has been fsynced and renamed into place, so a crash mid-write leaves at most an orphan .eml
// that the next start removes. Both files go through write-temp, fsync, rename, fsync-dir.
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from '../../util/fsync-dir.ts';
import { isMessageId } from '../ids.ts';
import type { RawBackend } from './mailbox.ts';
import type { MessageSummary } from './types.ts';

async function writeDurably(path: string, data: Buffer | string): Promise<void> {
  const tmp = `${path}.tmp`;
  const handle = await open(tmp, 'w', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}

export interface DiskBackend extends RawBackend {
  /** Summaries found on disk when the backend was opened. */
  readonly existing: MessageSummary[];
}

export async function openDiskBackend(dir: string): Promise<DiskBackend> {
  const messagesDir = join(dir, 'messages');
  await mkdir(messagesDir, { recursive: true });
  const names = await readdir(messagesDir);
  const existing: MessageSummary[] = [];
  const have = new Set(names);
  for (const name of names) {
    if (name.endsWith('.tmp')) {
      await rm(join(messagesDir, name), { force: true });
      continue;
    }
    const id = name.replace(/\.(json|eml)$/, '');
    if (!isMessageId(id)) continue;
    if (name.endsWith('.eml') && !have.has(`${id}.json`)) {
      await rm(join(messagesDir, name), { force: true });
      continue;
    }
    if (!name.endsWith('.json') || !have.has(`${id}.eml`)) continue;
    try {
      existing.push(JSON.parse(await readFile(join(messagesDir, name), 'utf8')) as MessageSummary);
    } catch {
      // A summary that does not parse cannot have been committed (rename is atomic); skip it.
    }
  }
  const file = (id: string, ext: 'eml' | 'json') => {
    if (!isMessageId(id)) throw new Error(`not a message id: ${id}`);
    return join(messagesDir, `${id}.${ext}`);
  };
  return {
    kind: 'disk',
    existing,
    async put(summary, raw) {
      await writeDurably(file(summary.id, 'eml'), raw);
      await writeDurably(file(summary.id, 'json'), JSON.stringify(summary));
      await fsyncDir(messagesDir);
    },
    async get(id) {
      try {
        return await readFile(file(id, 'eml'));
      } catch {
        return undefined;
      }
    },
    async remove(ids) {
      // Summary first: once it is gone the message no longer exists, whatever happens next.
      for (const id of ids) {
        await rm(file(id, 'json'), { force: true });
        await rm(file(id, 'eml'), { force: true });
      }
    },
    async update(summary) {
      await writeFile(`${file(summary.id, 'json')}.tmp`, JSON.stringify(summary));
      await rename(`${file(summary.id, 'json')}.tmp`, file(summary.id, 'json'));
    },
    async close() {},
  };
}
