import { DeploymentRequestEntity } from '../../src/persistence/entities/deployment-request.entity';
import { BenchCluster } from '../cluster/bench-cluster';
import { overlaps, StepRun } from '../cluster/run-records';
import { sleep } from '../support/stats';
import { LockProbe } from './lock-probe';

export type FailoverMode = 'SIGKILL' | 'SIGSTOP';

/** One trial's times in ms after the signal; NaN when it did not happen within the limit. */
export interface FailoverTrial {
  mode: FailoverMode;
  environment: string;
  holder: string;
  /** Until the broker had freed the holder's lock queue (anyone could take the lock). */
  lockFreeMs: number;
  /** Until another replica started the environment's next run (the in-flight request again). */
  nextStartMs: number;
  /** Until the in-flight request's row carried a recovery note from another replica. */
  recoveredMs: number;
  /** Until the holder's script was gone (its watchdog killed it). */
  scriptGoneMs: number;
  /** Runs of the environment that overlapped in time (must be 0). */
  overlaps: number;
}

const LIMIT_MS = 90_000;
const POLL_MS = 20;

/**
 * Request A (a long first run) is in flight on its holder with B queued behind it; the holder
 * gets SIGKILL or SIGSTOP. Measures until the environment moves on elsewhere, then brings the
 * holder back (SIGCONT and a restart) for the next trial.
 */
export async function runFailoverTrial(
  bench: BenchCluster,
  probe: LockProbe,
  environment: string,
  mode: FailoverMode,
): Promise<FailoverTrial> {
  const a = await bench.submit(environment, { sleepSeconds: 0.2, firstRunSeconds: 120 });
  const b = await bench.submit(environment, { sleepSeconds: 0.2 });
  const first = await waitFor(() => firstRun(bench, a), 60_000, `request ${a} never started`);
  const signalled = Date.now();
  bench.cluster.replica(first.replica).signal(mode);
  const times = await watch(bench, probe, first, a, signalled);
  if (mode === 'SIGSTOP') bench.cluster.resume(first.replica);
  await bench.cluster.waitFinal([a, b], LIMIT_MS).catch(() => undefined);
  await bench.cluster.restart(first.replica);
  const runs = (await bench.runs()).filter((r) => r.environment === environment);
  return { mode, environment, holder: first.replica, ...times, overlaps: overlaps(runs).length };
}

async function watch(
  bench: BenchCluster,
  probe: LockProbe,
  first: StepRun,
  id: number,
  signalled: number,
) {
  const deadline = signalled + LIMIT_MS;
  const times = { lockFreeMs: NaN, nextStartMs: NaN, recoveredMs: NaN, scriptGoneMs: NaN };
  while (Date.now() < deadline && Object.values(times).some(Number.isNaN)) {
    const runs = (await bench.runs()).filter((r) => r.environment === first.environment);
    const own = runs.find((r) => r.pid === first.pid);
    const next = runs.find((r) => r.start > signalled && r.replica !== first.replica);
    // Once the next run started, the lock is someone else's: freeing it is no longer news.
    if (Number.isNaN(times.lockFreeMs) && !next && !(await probe.isHeld(first.environment))) {
      times.lockFreeMs = Date.now() - signalled;
    }
    if (own?.gone && Number.isNaN(times.scriptGoneMs)) times.scriptGoneMs = own.gone - signalled;
    if (next && Number.isNaN(times.nextStartMs)) times.nextStartMs = next.start - signalled;
    if (Number.isNaN(times.recoveredMs) && (await recovered(bench, id, first.replica))) {
      times.recoveredMs = Date.now() - signalled;
    }
    await sleep(POLL_MS);
  }
  return times;
}

async function recovered(bench: BenchCluster, id: number, holder: string): Promise<boolean> {
  const row = await bench.cluster.dataSource
    .getRepository(DeploymentRequestEntity)
    .findOneByOrFail({ id });
  return (row.log ?? '').includes('Recovered by') && row.ownerId !== holder;
}

async function firstRun(bench: BenchCluster, id: number): Promise<StepRun | undefined> {
  return (await bench.runs()).find((r) => r.requestId === id);
}

async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(what);
    await sleep(POLL_MS);
  }
}
