// Resident memory and CPU time of a process and its descendants, from /proc (Linux): RSS and the
// peak (VmHWM) in MB, CPU in ms. The MinIO engine runs behind a tiny sh wrapper, hence descendants.
import { readFileSync } from 'node:fs';

function children(pid: number): number[] {
  try {
    const tasks = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return tasks ? tasks.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}

function field(pid: number, name: string): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export function treeMemory(pid: number): { rssMb: number; peakMb: number } {
  let rssMb = 0;
  let peakMb = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    rssMb += field(p, 'VmRSS');
    peakMb += field(p, 'VmHWM');
    stack.push(...children(p));
  }
  return { rssMb, peakMb };
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/**
 * CPU time (user + system, ms) used so far by a process and its live descendants: the
 * server's own cost of a row, apart from the load generator sharing the machine.
 */
export function treeCpuMs(pid: number): number {
  let ticks = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    try {
      // Fields after the parenthesized command name: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone since its parent listed it.
    }
    stack.push(...children(p));
  }
  return (ticks * 1000) / USER_HZ;
}
