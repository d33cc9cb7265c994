import { randomBytes } from 'node:crypto';
import { In } from 'typeorm';
import {
  DeploymentRequestEntity,
  FINAL_REQUEST_STATUSES,
} from '../../src/persistence/entities/deployment-request.entity';
import { BenchCluster } from '../cluster/bench-cluster';
import { busyShare, machineCpu, processCpuSeconds } from '../support/cpu-usage';
import { sampleRss } from '../support/process-memory';
import { sleep, Summary, summarize } from '../support/stats';

export interface ThroughputConfig {
  replicas: number;
  highAvailability: boolean;
}

export interface ThroughputRow extends ThroughputConfig {
  requests: number;
  /** Submission (one INSERT) to the last CompletedTime. */
  seconds: number;
  requestsPerSecond: number;
  /** requestsPerSecond / (environments / script seconds). */
  ratioToIdeal: number;
  failed: number;
  /** Locks taken (acquired) per request; far below 1 when a held lock serves the next request. */
  lockAcquisitionsPerRequest: number;
  /** CPU time of the monitor processes (not their scripts) per request, ms. */
  replicaCpuMsPerRequest: number;
  /** Share of the whole machine's CPU that was busy during the run (everything on it). */
  machineBusy: number;
  /** RSS of replica-1 while it worked, MB. */
  rssMb: Summary;
}

export const ENVIRONMENTS = 20;
export const SCRIPT_SECONDS = 0.2;

/** Runs one configuration on a fresh cluster and database. */
export async function runThroughput(
  config: ThroughputConfig,
  perEnv: number,
): Promise<ThroughputRow> {
  const bench = await BenchCluster.start({
    replicas: config.replicas,
    highAvailability: config.highAvailability,
    pollMs: 1000,
    heartbeatSeconds: 60,
    lean: true,
  });
  try {
    const envs = Array.from(
      { length: ENVIRONMENTS },
      (_, i) => `tp-${randomBytes(3).toString('hex')}-${i}`,
    );
    await bench.catalog(envs);
    await drain(bench, envs, 1);
    return await measure(bench, envs, perEnv, config);
  } finally {
    await bench.stop();
  }
}

async function measure(
  bench: BenchCluster,
  envs: string[],
  perEnv: number,
  config: ThroughputConfig,
) {
  const rss = sampleRss(bench.cluster.pid('replica-1')!);
  const locksBefore = await lockAcquisitions(bench);
  const [cpuBefore, machineBefore] = [await replicaCpu(bench), await machineCpu()];
  const submitted = Date.now();
  const rows = await drain(bench, envs, perEnv);
  const machineBusy = busyShare(machineBefore, await machineCpu());
  const replicaCpuMs = ((await replicaCpu(bench)) - cpuBefore) * 1000;
  const samples = await rss.stop();
  const locks = (await lockAcquisitions(bench)) - locksBefore;
  const last = Math.max(...rows.map((r) => r.completedTime?.getTime() ?? NaN));
  const seconds = (last - submitted) / 1000;
  const rps = rows.length / seconds;
  return {
    ...config,
    requests: rows.length,
    seconds,
    requestsPerSecond: rps,
    ratioToIdeal: rps / (ENVIRONMENTS / SCRIPT_SECONDS),
    failed: rows.filter((r) => r.status !== 'Completed').length,
    lockAcquisitionsPerRequest: config.highAvailability ? locks / rows.length : NaN,
    replicaCpuMsPerRequest: replicaCpuMs / rows.length,
    machineBusy,
    rssMb: summarize(samples),
  };
}

/** Submits `perEnv` requests per environment at once and waits until all are final. */
async function drain(bench: BenchCluster, envs: string[], perEnv: number) {
  const work = Array.from({ length: perEnv }, () =>
    envs.map((environment) => ({ environment, step: { sleepSeconds: SCRIPT_SECONDS } })),
  );
  const ids = await bench.submitMany(work.flat());
  const repo = bench.cluster.dataSource.getRepository(DeploymentRequestEntity);
  const deadline = Date.now() + 120_000 + perEnv * SCRIPT_SECONDS * 1000 * 10;
  for (;;) {
    const rows = await repo.findBy({ id: In(ids) });
    if (rows.every((r) => FINAL_REQUEST_STATUSES.includes(r.status))) return rows;
    if (Date.now() > deadline)
      throw new Error(
        `throughput run did not finish: ${rows.filter((r) => !FINAL_REQUEST_STATUSES.includes(r.status)).length} open`,
      );
    await sleep(100);
  }
}

/** Sum over the replicas of `dorc_monitor_lock_acquisitions_total{result="acquired"}`. */
async function lockAcquisitions(bench: BenchCluster): Promise<number> {
  let total = 0;
  for (const id of bench.cluster.replicaIds) {
    const { body } = await bench.cluster.http(id, '/metrics');
    const line = /^dorc_monitor_lock_acquisitions_total\{result="acquired"\} (\d+)/m.exec(
      String(body),
    );
    total += line ? Number(line[1]) : 0;
  }
  return total;
}

async function replicaCpu(bench: BenchCluster): Promise<number> {
  let total = 0;
  for (const id of bench.cluster.replicaIds)
    total += await processCpuSeconds(bench.cluster.pid(id)!);
  return total;
}
