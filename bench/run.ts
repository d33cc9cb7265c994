import { loadavg } from 'node:os';
import { machineInfo } from './support/machine.info';
import { lockSection } from './lock/lock.section';
import { failoverSection } from './failover/failover.section';
import { pollSection } from './poll/poll.section';
import { throughputSection } from './throughput/throughput.section';

type Section = () => Promise<Record<string, unknown>>;

/** Every bench section, in the order they run; `--only a,b` picks some. */
const SECTIONS: Record<string, Section> = {
  lock: lockSection,
  poll: pollSection,
  failover: failoverSection,
  throughput: throughputSection,
};

/** `npm run bench [-- --only lock,poll,failover,throughput]`: prints tables, writes results and charts. */
async function main(argv: string[]): Promise<void> {
  const only = argValue(argv, '--only')?.split(',');
  const chosen = Object.keys(SECTIONS).filter((name) => !only || only.includes(name));
  const unknown = (only ?? []).filter((name) => !(name in SECTIONS));
  if (unknown.length) throw new Error(`unknown section(s): ${unknown.join(', ')}`);
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
