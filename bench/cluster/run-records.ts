import { readFile } from 'node:fs/promises';

/** One execution of the step script (see step-script.ts). */
export interface StepRun {
  environment: string;
  requestId: number;
  replica: string;
  pid: number;
  start: number;
  /** The script's own end (EXIT trap), if it got that far. */
  end: number | null;
  exitCode: number | null;
  /** When the last process of the run was gone (the reaper), if seen. */
  gone: number | null;
}

/** Parses the record file; lines of one run are matched by request id and script pid. */
export async function readStepRuns(recordFile: string): Promise<StepRun[]> {
  const text = await readFile(recordFile, 'utf8').catch(() => '');
  const runs = new Map<string, StepRun>();
  const pendingGone = new Map<string, number>();
  for (const line of text.split('\n').filter(Boolean)) {
    const [kind, environment, id, at, replica, pid, code] = line.split(' ');
    const key = `${id}/${pid}`;
    if (kind === 'start') {
      runs.set(key, {
        environment,
        requestId: Number(id),
        replica,
        pid: Number(pid),
        start: Number(at),
        end: null,
        exitCode: null,
        gone: pendingGone.get(key) ?? null,
      });
    }
    const run = runs.get(key);
    if (kind === 'end' && run) [run.end, run.exitCode] = [Number(at), Number(code)];
    if (kind === 'gone') {
      if (run) run.gone = Number(at);
      else pendingGone.set(key, Number(at));
    }
  }
  return [...runs.values()].sort((a, b) => a.start - b.start);
}

/**
 * When a run stopped: its own end line, else when its last process was gone, else `openUntil`
 * (still running when the records were read).
 */
export function runEnd(run: StepRun, openUntil = Number.MAX_SAFE_INTEGER): number {
  return run.end ?? run.gone ?? openUntil;
}

/** Pairs of runs of one environment that overlap in time. */
export function overlaps(runs: StepRun[], openUntil?: number): Array<[StepRun, StepRun]> {
  const bad: Array<[StepRun, StepRun]> = [];
  const byEnv = new Map<string, StepRun[]>();
  for (const run of runs) byEnv.set(run.environment, [...(byEnv.get(run.environment) ?? []), run]);
  for (const list of byEnv.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [a, b] = [list[i], list[j]];
        if (a.start < runEnd(b, openUntil) && b.start < runEnd(a, openUntil)) bad.push([a, b]);
      }
    }
  }
  return bad;
}
