import { envInt } from '../support/bench-services';
import { writeResults, writeChart } from '../support/results.writer';
import { fmt } from '../support/stats';
import { barChart } from '../support/svg-chart';
import { printTable } from '../support/table.printer';
import { LockRow, runLockBench } from './lock-latency.bench';

const OURS = 'RabbitLockService';
const FLOOR = 'bare queue.declare';

/** Section 1: lock latency and throughput, ours against the broker's floor, PostgreSQL and Redis. */
export async function lockSection(): Promise<Record<string, unknown>> {
  const rows = await runLockBench(
    envInt('BENCH_LOCK_CYCLES', 2000),
    envInt('BENCH_LOCK_ROUNDS', 5),
  );
  const ratio = p50(rows, OURS, '1 env') / p50(rows, FLOOR, '1 env');
  printTable(
    'Lock latency on loopback (ms) and cycles per second (acquire + release)',
    ['system', 'scenario', 'acquire p50', 'acquire p99', 'release p50', 'release p99', 'cycles/s'],
    rows.map((r) => [
      r.system,
      r.scenario,
      fmt(r.acquire.p50, 3),
      fmt(r.acquire.p99, 3),
      r.release ? fmt(r.release.p50, 3) : '-',
      r.release ? fmt(r.release.p99, 3) : '-',
      r.cyclesPerSecond === undefined ? '-' : fmt(r.cyclesPerSecond, 0),
    ]),
  );
  console.log(`\nAcquire p50 ratio ${OURS} / ${FLOOR}: ${ratio.toFixed(2)}x (target <= 1.25x)`);
  writeChart('lock-latency.svg', chart(rows));
  const data = { rows, oursToFloorP50Ratio: ratio };
  await writeResults('lock', data);
  return data;
}

function p50(rows: LockRow[], system: string, scenario: LockRow['scenario']): number {
  return rows.find((r) => r.system === system && r.scenario === scenario)?.acquire.p50 ?? NaN;
}

/** Redraws the chart from a results file's `data`. */
export function lockChart(data: unknown): void {
  writeChart('lock-latency.svg', chart((data as { rows: LockRow[] }).rows));
}

function chart(rows: LockRow[]): string {
  const systems = [...new Set(rows.map((r) => r.system))];
  const pick = (scenario: LockRow['scenario'], p: 'p50' | 'p99') =>
    systems.map(
      (s) => rows.find((r) => r.system === s && r.scenario === scenario)?.acquire[p] ?? NaN,
    );
  return barChart({
    title: 'Lock acquire latency on loopback (one environment; contended = told busy)',
    unit: 'milliseconds',
    categories: systems,
    series: [
      { name: 'acquire p50', values: pick('1 env', 'p50') },
      { name: 'acquire p99', values: pick('1 env', 'p99') },
      { name: 'contended p50', values: pick('contended', 'p50') },
    ],
  });
}
