import { envInt } from '../support/bench-services';
import { writeChart, writeResults } from '../support/results.writer';
import { fmt } from '../support/stats';
import { barChart } from '../support/svg-chart';
import { printTable } from '../support/table.printer';
import {
  ENVIRONMENTS,
  runThroughput,
  SCRIPT_SECONDS,
  ThroughputConfig,
  ThroughputRow,
} from './throughput.bench';

const CONFIGS: ThroughputConfig[] = [
  { replicas: 1, highAvailability: false },
  { replicas: 1, highAvailability: true },
  { replicas: 2, highAvailability: true },
  { replicas: 3, highAvailability: true },
];

/** Section 4: end-to-end throughput for 1-3 replicas, HA overhead, and RSS under load. */
export async function throughputSection(): Promise<Record<string, unknown>> {
  const perEnv = envInt('BENCH_THROUGHPUT_PER_ENV', 20);
  const rows: ThroughputRow[] = [];
  for (const config of CONFIGS) rows.push(await runThroughput(config, perEnv));
  const rate = (replicas: number, ha = true) =>
    rows.find((r) => r.replicas === replicas && r.highAvailability === ha)?.requestsPerSecond ??
    NaN;
  const scaling = rate(3) / rate(1);
  const haOverhead = 1 - rate(1) / rate(1, false);
  print(rows, perEnv, scaling, haOverhead);
  writeChart('throughput.svg', chart(rows));
  const data = {
    environments: ENVIRONMENTS,
    scriptSeconds: SCRIPT_SECONDS,
    perEnv,
    rows,
    scaling3to1: scaling,
    haOverhead,
  };
  await writeResults('throughput', data);
  return data;
}

function print(rows: ThroughputRow[], perEnv: number, scaling: number, haOverhead: number): void {
  printTable(
    `End-to-end throughput: ${ENVIRONMENTS} environments x ${perEnv} requests, script ${SCRIPT_SECONDS * 1000} ms, default 1 s poll`,
    [
      'replicas',
      'HA',
      'requests',
      'seconds',
      'req/s',
      'of ideal 100/s',
      'not Completed',
      'locks per request',
      'monitor CPU ms/request',
      'machine CPU busy',
      'RSS replica-1 max MB',
    ],
    rows.map((r) => [
      String(r.replicas),
      r.highAvailability ? 'on' : 'off',
      String(r.requests),
      fmt(r.seconds, 2),
      fmt(r.requestsPerSecond, 1),
      `${(r.ratioToIdeal * 100).toFixed(0)} %`,
      String(r.failed),
      fmt(r.lockAcquisitionsPerRequest, 2),
      fmt(r.replicaCpuMsPerRequest, 1),
      `${(r.machineBusy * 100).toFixed(0)} %`,
      fmt(r.rssMb.max, 0),
    ]),
  );
  console.log(`\n3 replicas / 1 replica: ${scaling.toFixed(2)}x (target >= 2.5x)`);
  console.log(`HA overhead on 1 replica: ${(haOverhead * 100).toFixed(1)} % (target < 10 %)`);
}

/** Redraws the chart from a results file's `data`. */
export function throughputChart(data: unknown): void {
  writeChart('throughput.svg', chart((data as { rows: ThroughputRow[] }).rows));
}

function chart(rows: ThroughputRow[]): string {
  return barChart({
    title: `Throughput, ${ENVIRONMENTS} environments, ${SCRIPT_SECONDS * 1000} ms scripts`,
    unit: 'requests per second',
    categories: rows.map(
      (r) =>
        `${r.replicas} replica${r.replicas > 1 ? 's' : ''}, HA ${r.highAvailability ? 'on' : 'off'}`,
    ),
    series: [{ name: 'requests per second', values: rows.map((r) => r.requestsPerSecond) }],
    references: [{ value: ENVIRONMENTS / SCRIPT_SECONDS, label: 'ideal: 20 environments / 0.2 s' }],
  });
}
