import { readFile } from 'node:fs/promises';

/** Kernel clock ticks per second for /proc times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** User plus system CPU seconds a process has used so far, or NaN if it is gone. */
export async function processCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields.length < 13) return NaN;
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** Busy and total jiffies of all CPUs since boot (from the first line of /proc/stat). */
export async function machineCpu(): Promise<{ busy: number; total: number }> {
  const text = await readFile('/proc/stat', 'utf8');
  const numbers = text.split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = numbers.reduce((a, b) => a + b, 0);
  const idle = numbers[3] + (numbers[4] ?? 0);
  return { busy: total - idle, total };
}

/** Share of the machine's CPU time that was busy between two `machineCpu()` readings. */
export function busyShare(
  before: { busy: number; total: number },
  after: { busy: number; total: number },
) {
  return (after.busy - before.busy) / Math.max(1, after.total - before.total);
}
