import { In } from 'typeorm';
import {
  DeploymentRequestEntity,
  FINAL_REQUEST_STATUSES,
} from '../../src/persistence/entities/deployment-request.entity';
import { writeResults } from '../support/results.writer';
import { sleep } from '../support/stats';
import { FaultInjector } from './fault-injector';
import { RequestStream } from './request-stream';
import { checkSoak, Violation } from './soak-checker';
import { SoakOptions } from './soak-options';
import { keepEvidence, printSummary, printViolations } from './soak-report';
import { SoakRig } from './soak-rig';

export interface SoakResult {
  violations: Violation[];
  evidenceDir?: string;
}

let current: SoakRig | undefined;

/** Runs the whole soak: faults and requests, heal, drain, check, report, clean up. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  console.log(`Soak: ${JSON.stringify(options)}`);
  const rig = await SoakRig.start(options);
  current = rig;
  try {
    return await soakOn(rig);
  } finally {
    await rig.cleanup();
    current = undefined;
  }
}

/** For a signal handler: stop every process of a soak in progress. */
export function abortSoak(): Promise<void> {
  return current?.cleanup() ?? Promise.resolve();
}

async function soakOn(rig: SoakRig): Promise<SoakResult> {
  const stream = new RequestStream(rig.bench, rig.environments, rig.options.rate);
  const faults = new FaultInjector(rig);
  const until = Date.now() + rig.options.minutes * 60_000;
  stream.start();
  faults.start(until);
  await sleep(Math.max(0, until - Date.now()));
  await Promise.all([stream.stop(), faults.stop()]);
  console.log(
    `Fault phase over: ${faults.events.length} faults, ${stream.submitted.length} requests`,
  );

  await heal(rig);
  const ids = stream.submitted.map((s) => s.id);
  const drainSeconds = await drain(rig, ids);
  const rows = await readRows(rig, ids);
  const runs = (await rig.bench.runs()).filter((r) => ids.includes(r.requestId));
  const findings = checkSoak(runs, rows, faults.events);

  const statuses: Record<string, number> = {};
  for (const row of rows) statuses[row.status] = (statuses[row.status] ?? 0) + 1;
  const counts = {
    submitted: ids.length,
    submitErrors: stream.submitErrors,
    runs: runs.length,
    killedRuns: runs.filter((r) => r.end === null && r.gone !== null).length,
    statuses,
    drainSeconds,
  };
  printSummary(counts, faults.events, findings);
  printViolations(findings.violations, rows, rig.bench.cluster.allLogs(), faults.events);
  const evidenceDir = findings.violations.length ? await keepEvidence(rig) : undefined;
  if (evidenceDir) console.log(`\nReplica logs and script records kept in ${evidenceDir}`);
  await writeResults('soak', { options: rig.options, counts, faults: faults.events, findings });
  return { violations: findings.violations, evidenceDir };
}

/** Every replica running and reachable again: resumed, reconnected, restarted if it died. */
async function heal(rig: SoakRig): Promise<void> {
  for (const proxy of rig.proxies.values()) proxy.restore();
  for (const id of rig.replicaIds) {
    const replica = rig.bench.cluster.replica(id);
    if (replica.isRunning()) replica.signal('SIGCONT');
    else await rig.bench.cluster.start(id);
  }
}

/** Waits for every request to be final; returns how long that took (or the limit). */
async function drain(rig: SoakRig, ids: number[]): Promise<number> {
  const started = Date.now();
  const deadline = started + rig.options.drainSeconds * 1000;
  while (Date.now() < deadline) {
    const rows = await readRows(rig, ids);
    if (rows.every((r) => FINAL_REQUEST_STATUSES.includes(r.status))) break;
    await sleep(500);
  }
  return (Date.now() - started) / 1000;
}

function readRows(rig: SoakRig, ids: number[]): Promise<DeploymentRequestEntity[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return rig.bench.cluster.dataSource
    .getRepository(DeploymentRequestEntity)
    .find({ where: { id: In(ids) }, order: { id: 'ASC' } });
}
