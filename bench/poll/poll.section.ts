import { envInt } from '../support/bench-services';
import { writeChart, writeResults } from '../support/results.writer';
import { fmt } from '../support/stats';
import { barChart } from '../support/svg-chart';
import { printTable } from '../support/table.printer';
import { PollRow, runPollBench } from './poll-cost.bench';

/** Section 2: the scheduler's poll with 10,000 and 1,000,000 finished rows plus 100 pending. */
export async function pollSection(): Promise<Record<string, unknown>> {
  const largest = envInt('BENCH_POLL_ROWS', 1_000_000);
  const sizes = [...new Set([Math.min(10_000, largest), largest])];
  const rows = await runPollBench(sizes, envInt('BENCH_POLL_ITERATIONS', 200));
  printTable(
    'Poll cost: RequestStore.open(isProd) (ms)',
    ['database', 'finished rows', 'pending', 'p50', 'p95', 'max', 'load s'],
    rows.map((r) => [
      r.database,
      r.finishedRows.toLocaleString('en-US'),
      String(r.pendingRows),
      fmt(r.poll.p50, 3),
      fmt(r.poll.p95, 3),
      fmt(r.poll.max, 3),
      fmt(r.loadSeconds, 1),
    ]),
  );
  writeChart('poll-cost.svg', chart(rows));
  const data = { rows };
  await writeResults('poll', data);
  return data;
}

/** Redraws the chart from a results file's `data`. */
export function pollChart(data: unknown): void {
  writeChart('poll-cost.svg', chart((data as { rows: PollRow[] }).rows));
}

function chart(rows: PollRow[]): string {
  const categories = rows.map(
    (r) => `${r.database}, ${r.finishedRows.toLocaleString('en-US')} rows`,
  );
  return barChart({
    title: 'Poll query with 100 pending requests and a history of finished ones',
    unit: 'milliseconds',
    categories,
    series: [
      { name: 'p50', values: rows.map((r) => r.poll.p50) },
      { name: 'p95', values: rows.map((r) => r.poll.p95) },
    ],
  });
}
