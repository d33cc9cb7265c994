import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { machineInfo } from './machine.info';

/** Where results and charts go, relative to the repository root. */
export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');
export const CHARTS_DIR = join(REPO_ROOT, 'docs', 'benchmarks');

/**
 * Writes `bench/results/<name>.json` (the latest run) and a timestamped copy beside it, each with
 * the machine it ran on. The results folder is gitignored: the numbers worth keeping are quoted
 * in docs/benchmarks.md.
 */
export async function writeResults(name: string, data: unknown): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  // Other work on the machine skews every figure: keep the 1/5/15-minute load with the numbers.
  const loadAverage = loadavg();
  const document = {
    name,
    at: new Date().toISOString(),
    machine: await machineInfo(),
    loadAverage,
    data,
  };
  const text = `${JSON.stringify(document, null, 2)}\n`;
  const stamp = document.at.replace(/[:.]/g, '-');
  writeFileSync(join(RESULTS_DIR, `${name}-${stamp}.json`), text);
  const latest = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(latest, text);
  return latest;
}

export function writeChart(fileName: string, svg: string): string {
  mkdirSync(CHARTS_DIR, { recursive: true });
  const path = join(CHARTS_DIR, fileName);
  writeFileSync(path, svg);
  return path;
}
