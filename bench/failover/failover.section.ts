import { randomBytes } from 'node:crypto';
import { BenchCluster } from '../cluster/bench-cluster';
import { envInt, SERVICES } from '../support/bench-services';
import { LockProbe } from './lock-probe';
import { writeChart, writeResults } from '../support/results.writer';
import { fmt, Summary, summarize } from '../support/stats';
import { barChart } from '../support/svg-chart';
import { printTable } from '../support/table.printer';
import { FailoverMode, FailoverTrial, runFailoverTrial } from './failover-trial';

const MODES: FailoverMode[] = ['SIGKILL', 'SIGSTOP'];
const METRICS = ['lockFreeMs', 'nextStartMs', 'recoveredMs', 'scriptGoneMs'] as const;

/**
 * Section 3: a holder killed, and separately paused, mid-run. Default poll (1 s) and request
 * lease (10 s); heartbeat BENCH_HEARTBEAT_SECONDS (default 5 s, as the product's 60 s would
 * leave a paused holder's lock in the broker for minutes).
 */
export async function failoverSection(): Promise<Record<string, unknown>> {
  const trials = envInt('BENCH_TRIALS', 20);
  const heartbeatSeconds = envInt('BENCH_HEARTBEAT_SECONDS', 5);
  const replicas = envInt('BENCH_FAILOVER_REPLICAS', 3);
  const bench = await BenchCluster.start({
    replicas,
    pollMs: 1000,
    heartbeatSeconds,
    requestLeaseSeconds: 10,
  });
  const results: FailoverTrial[] = [];
  const probe = await LockProbe.open(SERVICES.rabbitmqUrl);
  try {
    const suffix = randomBytes(3).toString('hex');
    const envs = MODES.flatMap((m) =>
      Array.from({ length: trials }, (_, i) => `fo-${suffix}-${m}-${i}`),
    );
    await bench.catalog(envs);
    for (const mode of MODES) {
      for (let i = 0; i < trials; i++)
        results.push(await runFailoverTrial(bench, probe, `fo-${suffix}-${mode}-${i}`, mode));
    }
  } finally {
    await probe.close();
    await bench.stop();
  }
  return report(results, { trials, heartbeatSeconds, replicas });
}

async function report(results: FailoverTrial[], settings: Record<string, number>) {
  const summaries = MODES.map((mode) => ({
    mode,
    ...summarizeMode(results.filter((r) => r.mode === mode)),
  }));
  printTable(
    `Failover (ms after the signal), ${settings.trials} trials each, ${settings.replicas} replicas, poll 1 s, lease 10 s, heartbeat ${settings.heartbeatSeconds} s`,
    ['signal', 'measure', 'n', 'p50', 'p95', 'max', 'missed'],
    summaries.flatMap((s) =>
      METRICS.map((m) => [
        s.mode,
        m,
        String(s[m].n),
        fmt(s[m].p50, 0),
        fmt(s[m].p95, 0),
        fmt(s[m].max, 0),
        String(s.missed[m]),
      ]),
    ),
  );
  const overlapping = results.reduce((sum, r) => sum + r.overlaps, 0);
  console.log(
    `\nOverlapping runs within an environment over all trials: ${overlapping} (must be 0)`,
  );
  writeChart('failover.svg', chart(summaries));
  const data = { settings, summaries, trials: results };
  await writeResults('failover', data);
  return data;
}

function summarizeMode(trials: FailoverTrial[]) {
  const pick = (m: (typeof METRICS)[number]) => trials.map((t) => t[m]).filter(Number.isFinite);
  const missed = Object.fromEntries(METRICS.map((m) => [m, trials.length - pick(m).length]));
  return {
    ...(Object.fromEntries(METRICS.map((m) => [m, summarize(pick(m))])) as Record<
      (typeof METRICS)[number],
      Summary
    >),
    missed,
  };
}

/** Redraws the chart from a results file's `data`. */
export function failoverChart(data: unknown): void {
  writeChart('failover.svg', chart((data as { summaries: Parameters<typeof chart>[0] }).summaries));
}

function chart(
  summaries: Array<{ mode: FailoverMode } & Record<(typeof METRICS)[number], Summary>>,
): string {
  const categories = summaries.flatMap((s) => [
    `${s.mode}: lock free`,
    `${s.mode}: recovered`,
    `${s.mode}: next start`,
  ]);
  const values = (p: 'p50' | 'p95' | 'max') =>
    summaries.flatMap((s) =>
      [s.lockFreeMs[p], s.recoveredMs[p], s.nextStartMs[p]].map((ms) => ms / 1000),
    );
  return barChart({
    title: 'Failover after the holder is killed or paused mid-run (seconds)',
    unit: 'seconds after the signal',
    categories,
    series: [
      { name: 'p50', values: values('p50') },
      { name: 'p95', values: values('p95') },
      { name: 'max', values: values('max') },
    ],
    references: [
      { value: 15, label: 'target: in-flight recovery < 15 s' },
      { value: 1, label: 'target: next start < 1 s' },
    ],
  });
}
