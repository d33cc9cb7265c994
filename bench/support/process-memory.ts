import { readFile } from 'node:fs/promises';

/** Resident set size of a process in MB (VmRSS from /proc/<pid>/status), or NaN if gone. */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Samples a pid's RSS every `everyMs` until `stop()`; returns the samples in MB. */
export function sampleRss(pid: number, everyMs = 100): { stop(): Promise<number[]> } {
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const mb = await rssMb(pid);
      if (Number.isFinite(mb)) samples.push(mb);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
  };
}
