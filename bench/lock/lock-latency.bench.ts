import { randomBytes } from 'node:crypto';
import { SERVICES } from '../support/bench-services';
import { Summary, summarize, timed } from '../support/stats';
import { BareDeclareContender } from './bare-declare.contender';
import { ContenderFactory, LockContender } from './lock-contender';
import { OursContender } from './ours.contender';
import { PgAdvisoryContender } from './pg-advisory.contender';
import { RedisNxContender } from './redis-nx.contender';

export type LockScenario = '1 env' | '10 envs' | 'contended';

export interface LockRow {
  system: string;
  scenario: LockScenario;
  /** Acquire latency in ms (in `contended`, the time to learn it is busy). */
  acquire: Summary;
  release?: Summary;
  /** Acquire plus release, completed per second over the whole scenario. */
  cyclesPerSecond?: number;
}

const ENVIRONMENTS = 10;
const WARMUP = 100;

const FACTORIES: ContenderFactory[] = [
  () => OursContender.open(SERVICES.rabbitmqUrl),
  () => BareDeclareContender.open(SERVICES.rabbitmqUrl),
  () => BareDeclareContender.open(SERVICES.rabbitmqUrl, true),
  () => PgAdvisoryContender.open(SERVICES.postgresUrl),
  () => RedisNxContender.open(SERVICES.redisUrl),
];

/** Every lock side by side: one environment, ten at once on one connection, and contended. */
export async function runLockBench(cycles: number): Promise<LockRow[]> {
  const rows: LockRow[] = [];
  for (const open of FACTORIES) rows.push(...(await benchOne(open, cycles)));
  return rows;
}

async function benchOne(open: ContenderFactory, cycles: number): Promise<LockRow[]> {
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const [mine, other] = [await open(), await open()];
  try {
    await loop(mine, `${prefix}-warm`, WARMUP);
    const single = await measureCycles(mine, [`${prefix}-0`], cycles);
    const keys = Array.from({ length: ENVIRONMENTS }, (_, i) => `${prefix}-m${i}`);
    const many = await measureCycles(mine, keys, Math.ceil(cycles / ENVIRONMENTS));
    const busy = await measureContended(mine, other, `${prefix}-c`, Math.ceil(cycles / 4));
    return [
      { system: mine.name, scenario: '1 env', ...single },
      { system: mine.name, scenario: '10 envs', ...many },
      { system: mine.name, scenario: 'contended', acquire: busy },
    ];
  } finally {
    await mine.close();
    await other.close();
  }
}

/** One acquire/release loop per key, all at once; `perKey` cycles each. */
async function measureCycles(contender: LockContender, keys: string[], perKey: number) {
  const acquire: number[] = [];
  const release: number[] = [];
  const started = process.hrtime.bigint();
  await Promise.all(keys.map((key) => loop(contender, key, perKey, acquire, release)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    acquire: summarize(acquire),
    release: summarize(release),
    cyclesPerSecond: (keys.length * perKey) / seconds,
  };
}

async function loop(
  contender: LockContender,
  key: string,
  count: number,
  acquire: number[] = [],
  release: number[] = [],
): Promise<void> {
  for (let i = 0; i < count; i++) {
    await contender.prepare(key);
    let taken = false;
    acquire.push(await timed(async () => (taken = await contender.acquire(key))));
    if (!taken) throw new Error(`${contender.name}: ${key} was unexpectedly busy`);
    release.push(await timed(() => contender.release(key)));
  }
}

/** `other` holds the key; `mine` keeps trying and must be told busy each time. */
async function measureContended(
  mine: LockContender,
  other: LockContender,
  key: string,
  tries: number,
): Promise<Summary> {
  await other.prepare(key);
  if (!(await other.acquire(key))) throw new Error(`${other.name}: could not take ${key}`);
  const samples: number[] = [];
  for (let i = 0; i < tries; i++) {
    await mine.prepare(key);
    let taken = true;
    samples.push(await timed(async () => (taken = await mine.acquire(key))));
    if (taken) throw new Error(`${mine.name}: took ${key} while another connection held it`);
  }
  await other.release(key);
  return summarize(samples);
}
