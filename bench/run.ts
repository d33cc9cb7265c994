import { loadavg } from 'node:os';
import { machineInfo } from './support/machine.info';
import { lockChart, lockSection } from './lock/lock.section';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { failoverChart, failoverSection } from './failover/failover.section';
import { pollChart, pollSection } from './poll/poll.section';
import { throughputChart, throughputSection } from './throughput/throughput.section';
import { RESULTS_DIR } from './support/results.writer';

type Section = () => Promise<Record<string, unknown>>;

/** Every bench section, in the order they run; `--only a,b` picks some. */
const SECTIONS: Record<string, Section> = {
  lock: lockSection,
  poll: pollSection,
  failover: failoverSection,
  throughput: throughputSection,
};

/** Draws a section's chart again from its latest results file. */
const CHARTS: Record<string, (data: unknown) => void> = {
  lock: lockChart,
  poll: pollChart,
  failover: failoverChart,
  throughput: throughputChart,
};

/**
 * `npm run bench [-- --only lock,poll,failover,throughput]`: prints tables, writes results and
 * charts. `--redraw` only draws the charts again from bench/results/<section>.json.
 */
async function main(argv: string[]): Promise<void> {
  const only = argValue(argv, '--only')?.split(',');
  const chosen = Object.keys(SECTIONS).filter((name) => !only || only.includes(name));
  const unknown = (only ?? []).filter((name) => !(name in SECTIONS));
  if (unknown.length) throw new Error(`unknown section(s): ${unknown.join(', ')}`);
  if (argv.includes('--redraw')) return redraw(chosen);
  console.log('Machine:', JSON.stringify(await machineInfo()));
  for (const name of chosen) {
    console.log(
      `\n=== ${name} === (load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})`,
    );
    await SECTIONS[name]();
  }
}

function redraw(sections: string[]): void {
  for (const name of sections) {
    const file = join(RESULTS_DIR, `${name}.json`);
    const { data } = JSON.parse(readFileSync(file, 'utf8')) as { data: unknown };
    CHARTS[name](data);
    console.log(`redrew the ${name} chart from ${file}`);
  }
}

function argValue(argv: string[], flag: string): string | undefined {
  const index = argv.indexOf(flag);
  return index >= 0 ? argv[index + 1] : undefined;
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
