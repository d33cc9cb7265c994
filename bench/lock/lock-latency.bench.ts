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
  /** Acquire plus release, completed per second while the scenario ran. */
  cyclesPerSecond?: number;
}

const ENVIRONMENTS = 10;
const WARMUP = 100;
const SCENARIOS: LockScenario[] = ['1 env', '10 envs', 'contended'];

const FACTORIES: ContenderFactory[] = [
  () => OursContender.open(SERVICES.rabbitmqUrl),
  () => BareDeclareContender.open(SERVICES.rabbitmqUrl),
  () => BareDeclareContender.open(SERVICES.rabbitmqUrl, true),
  () => PgAdvisoryContender.open(SERVICES.postgresUrl),
  () => RedisNxContender.open(SERVICES.redisUrl),
];

/** Samples of one system in one scenario, pooled over the rounds. */
class Tally {
  readonly acquire: number[] = [];
  readonly release: number[] = [];
  cycles = 0;
  seconds = 0;
}

interface Player {
  mine: LockContender;
  other: LockContender;
  prefix: string;
  tallies: Map<LockScenario, Tally>;
}

/**
 * Every lock side by side: one environment, ten at once on one connection, and contended. The
 * systems take turns in `rounds` rounds, so a change in the machine's load hits them alike.
 */
export async function runLockBench(cycles: number, rounds: number): Promise<LockRow[]> {
  const players: Player[] = [];
  try {
    for (const open of FACTORIES) players.push(await player(open));
    for (const p of players) await loop(p.mine, `${p.prefix}-warm`, WARMUP, new Tally());
    const chunk = Math.max(ENVIRONMENTS, Math.ceil(cycles / rounds));
    for (let round = 0; round < rounds; round++) {
      for (const p of players) await playRound(p, chunk);
    }
    return players.flatMap((p) => SCENARIOS.map((s) => toRow(p.mine.name, s, p.tallies.get(s)!)));
  } finally {
    for (const p of players) await Promise.allSettled([p.mine.close(), p.other.close()]);
  }
}

async function player(open: ContenderFactory): Promise<Player> {
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const tallies = new Map(SCENARIOS.map((s) => [s, new Tally()]));
  return { mine: await open(), other: await open(), prefix, tallies };
}

async function playRound(p: Player, chunk: number): Promise<void> {
  await measureCycles(p.mine, [`${p.prefix}-0`], chunk, p.tallies.get('1 env')!);
  const keys = Array.from({ length: ENVIRONMENTS }, (_, i) => `${p.prefix}-m${i}`);
  await measureCycles(p.mine, keys, Math.ceil(chunk / ENVIRONMENTS), p.tallies.get('10 envs')!);
  await measureContended(p, `${p.prefix}-c`, Math.ceil(chunk / 4), p.tallies.get('contended')!);
}

function toRow(system: string, scenario: LockScenario, t: Tally): LockRow {
  if (scenario === 'contended') return { system, scenario, acquire: summarize(t.acquire) };
  const cyclesPerSecond = t.cycles / t.seconds;
  return {
    system,
    scenario,
    acquire: summarize(t.acquire),
    release: summarize(t.release),
    cyclesPerSecond,
  };
}

/** One acquire/release loop per key, all at once; `perKey` cycles each. */
async function measureCycles(
  contender: LockContender,
  keys: string[],
  perKey: number,
  tally: Tally,
) {
  const started = process.hrtime.bigint();
  await Promise.all(keys.map((key) => loop(contender, key, perKey, tally)));
  tally.seconds += Number(process.hrtime.bigint() - started) / 1e9;
  tally.cycles += keys.length * perKey;
}

async function loop(contender: LockContender, key: string, count: number, tally: Tally) {
  for (let i = 0; i < count; i++) {
    await contender.prepare(key);
    let taken = false;
    tally.acquire.push(await timed(async () => (taken = await contender.acquire(key))));
    if (!taken) throw new Error(`${contender.name}: ${key} was unexpectedly busy`);
    tally.release.push(await timed(() => contender.release(key)));
  }
}

/** The other connection holds the key; `mine` keeps trying and must be told busy each time. */
async function measureContended(p: Player, key: string, tries: number, tally: Tally) {
  await p.other.prepare(key);
  if (!(await p.other.acquire(key))) throw new Error(`${p.other.name}: could not take ${key}`);
  for (let i = 0; i < tries; i++) {
    await p.mine.prepare(key);
    let taken = true;
    tally.acquire.push(await timed(async () => (taken = await p.mine.acquire(key))));
    if (taken) throw new Error(`${p.mine.name}: took ${key} while another connection held it`);
  }
  await p.other.release(key);
}
