// Resident memory of a process and its descendants, from /proc (Linux): current RSS and the
// peak (VmHWM), in MB. The MinIO engine runs behind a tiny sh wrapper, hence descendants.
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
