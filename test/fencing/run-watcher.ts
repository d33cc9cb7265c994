/**
 * Watches what fault-injection scripts record, and when their processes really end. A script
 * killed with SIGKILL writes no end line, so each run's pids are polled: the run counts as
 * running until its end line, or until every pid it recorded is gone (zombies count as gone).
 * Polling makes that end a little late, which can only add overlaps, never hide one.
 *
 * Line format (see `pidRecordingScript`): `start <env> <id> <ms> <scriptPid>`,
 * `child <env> <id> <pid>`, `end <env> <id> <ms>`.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive } from './fencing-fixtures';

export interface WatchedRun {
  environment: string;
  requestId: number;
  start: number;
  /** From the script's end line. */
  end: number | null;
  pids: number[];
  /** When every pid was first seen gone, for a run without an end line. */
  goneAt: number | null;
}

const POLL_MS = 25;

/** Writes `<scriptRoot>/<name>`: records start and pids, sleeps, records its end. */
export async function pidRecordingScript(
  scriptRoot: string,
  name: string,
  recordFile: string,
  sleepSeconds: number,
) {
  const who = '$EnvironmentName $DeploymentRequestId';
  const body = [
    '#!/usr/bin/env bash',
    `echo "start ${who} $(date +%s%3N) $$" >> "${recordFile}"`,
    `sleep ${sleepSeconds} &`,
    `echo "child ${who} $!" >> "${recordFile}"`,
    'wait $!',
    `echo "end ${who} $(date +%s%3N)" >> "${recordFile}"`,
    '',
  ].join('\n');
  const file = join(scriptRoot, name);
  await writeFile(file, body);
  await chmod(file, 0o755);
}

export class RunWatcher {
  private runs: WatchedRun[] = [];
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;

  constructor(private readonly recordFile: string) {}

  start(): void {
    this.timer = setInterval(() => {
      this.ticking ??= this.tick().finally(() => (this.ticking = undefined));
    }, POLL_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }

  /** A fresh read and pid check, then every run so far. */
  async snapshot(): Promise<WatchedRun[]> {
    await this.ticking;
    await this.tick();
    return this.runs.map((r) => ({ ...r, pids: [...r.pids] }));
  }

  private async tick(): Promise<void> {
    const text = await readFile(this.recordFile, 'utf8').catch(() => '');
    const parsed = parse(text);
    // The file only grows: runs keep their index, so what was measured before is kept.
    parsed.forEach((run, i) => {
      const known = this.runs[i];
      if (known) run.goneAt = known.goneAt;
    });
    this.runs = parsed;
    const now = Date.now();
    for (const run of this.runs) {
      if (run.end !== null || run.goneAt !== null || run.pids.length === 0) continue;
      if (run.pids.every((pid) => !isAlive(pid))) run.goneAt = now;
    }
  }
}

function parse(text: string): WatchedRun[] {
  const runs: WatchedRun[] = [];
  const open = new Map<string, WatchedRun>();
  for (const line of text.split('\n')) {
    const [kind, environment, id, a, b] = line.split(' ');
    const key = `${environment}/${id}`;
    if (kind === 'start') {
      const run: WatchedRun = {
        environment,
        requestId: Number(id),
        start: Number(a),
        end: null,
        pids: [Number(b)],
        goneAt: null,
      };
      runs.push(run);
      open.set(key, run);
    } else if (kind === 'child') {
      open.get(key)?.pids.push(Number(a));
    } else if (kind === 'end') {
      const run = open.get(key);
      if (run) run.end = Number(a);
      open.delete(key);
    }
  }
  return runs;
}

/** When a run stopped: its end line, else when its processes were seen gone, else never. */
export function stoppedAt(run: WatchedRun): number {
  return run.end ?? run.goneAt ?? Number.POSITIVE_INFINITY;
}

/** Every pair of runs of one environment whose intervals intersect, the same request included. */
export function overlaps(runs: WatchedRun[]): Array<[WatchedRun, WatchedRun]> {
  const bad: Array<[WatchedRun, WatchedRun]> = [];
  runs.forEach((a, i) => {
    for (const b of runs.slice(i + 1)) {
      if (a.environment !== b.environment) continue;
      if (a.start < stoppedAt(b) && b.start < stoppedAt(a)) bad.push([a, b]);
    }
  });
  return bad;
}
