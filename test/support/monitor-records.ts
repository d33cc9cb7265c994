/**
 * What recording scripts wrote: one `start <env> <id> <ms>` line when a run begins and one
 * `end <env> <id> <ms>` line when it ends (the line format of engine-harness.ts). Unlike
 * `EngineHarness.intervals()`, every start is kept, also one whose process was killed before its
 * end line: that is how a test sees a request that ran twice, or a run a replica died in.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Interval } from './engine-harness';

/** One execution of a recording script. `end` is null when it never wrote its end line. */
export interface ScriptRun {
  environment: string;
  requestId: number;
  start: number;
  end: number | null;
}

/**
 * Writes `<scriptRoot>/<name>`: records its start, sleeps `sleepSeconds` (fractions allowed),
 * records its end, exits 0.
 */
export async function writeRecordingScript(
  scriptRoot: string,
  name: string,
  recordFile: string,
  sleepSeconds: number,
): Promise<void> {
  const file = join(scriptRoot, name);
  const body = [
    '#!/usr/bin/env bash',
    `echo "start $EnvironmentName $DeploymentRequestId $(date +%s%3N)" >> "${recordFile}"`,
    `sleep ${sleepSeconds}`,
    `echo "end $EnvironmentName $DeploymentRequestId $(date +%s%3N)" >> "${recordFile}"`,
    '',
  ].join('\n');
  await writeFile(file, body);
  await chmod(file, 0o755);
}

/** Every run in the order the start lines were written; a later end closes the open start. */
export async function readScriptRuns(recordFile: string): Promise<ScriptRun[]> {
  const text = await readFile(recordFile, 'utf8').catch(() => '');
  const runs: ScriptRun[] = [];
  const open = new Map<string, ScriptRun>();
  for (const line of text.split('\n').filter(Boolean)) {
    const [kind, environment, id, at] = line.split(' ');
    const key = `${environment}/${id}`;
    if (kind === 'start') {
      const run: ScriptRun = { environment, requestId: Number(id), start: Number(at), end: null };
      runs.push(run);
      open.set(key, run);
      continue;
    }
    const run = open.get(key);
    if (run) run.end = Number(at);
    open.delete(key);
  }
  return runs;
}

/**
 * The runs as intervals for `overlapsWithin`. A run without an end line counts as running until
 * `unfinishedUntil` (e.g. when its replica was seen dead), or forever when that is not given.
 */
export function runIntervals(runs: ScriptRun[], unfinishedUntil?: number): Interval[] {
  return runs.map((r) => ({
    environment: r.environment,
    requestId: r.requestId,
    start: r.start,
    end: r.end ?? unfinishedUntil ?? Number.MAX_SAFE_INTEGER,
  }));
}

/** Request ids in the order they first started, per environment. */
export function startOrderByEnvironment(runs: ScriptRun[]): Map<string, number[]> {
  const order = new Map<string, number[]>();
  for (const run of [...runs].sort((a, b) => a.start - b.start)) {
    const ids = order.get(run.environment) ?? [];
    if (!ids.includes(run.requestId)) ids.push(run.requestId);
    order.set(run.environment, ids);
  }
  return order;
}

/** How many times each request's script started. */
export function startCounts(runs: ScriptRun[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const run of runs) counts.set(run.requestId, (counts.get(run.requestId) ?? 0) + 1);
  return counts;
}
