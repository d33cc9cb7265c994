import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeploymentRequestEntity } from '../../src/persistence/entities/deployment-request.entity';
import type { LogLine } from '../../test/support/monitor-cluster';
import { fmt } from '../support/stats';
import { printTable } from '../support/table.printer';
import { FaultEvent } from './fault-injector';
import { SoakFindings, Violation } from './soak-checker';
import { SoakRig } from './soak-rig';

export interface SoakCounts {
  submitted: number;
  submitErrors: number;
  runs: number;
  /** Runs whose script was killed before it ended (watchdog, fencing, replica death). */
  killedRuns: number;
  statuses: Record<string, number>;
  drainSeconds: number;
}

export function printSummary(
  counts: SoakCounts,
  faults: FaultEvent[],
  findings: SoakFindings,
): void {
  console.log(
    `\nRequests submitted: ${counts.submitted} (submit errors ${counts.submitErrors}); script runs: ${counts.runs}, of which killed mid-run: ${counts.killedRuns}`,
  );
  console.log(
    `Final statuses: ${JSON.stringify(counts.statuses)}; drained in ${counts.drainSeconds.toFixed(1)} s`,
  );
  const kinds = [...new Set(faults.map((f) => f.kind))];
  printTable(
    'Faults injected',
    ['fault', 'count', 'failed to apply'],
    kinds.map((k) => {
      const of = faults.filter((f) => f.kind === k);
      return [k, String(of.length), String(of.filter((f) => f.error).length)];
    }),
  );
  printTable(
    'Failover: fault to the next start in each environment the victim was running (ms)',
    ['fault', 'n', 'p50', 'p95', 'max'],
    Object.entries(findings.failover).map(([k, s]) => [
      k,
      String(s.n),
      fmt(s.p50, 0),
      fmt(s.p95, 0),
      fmt(s.max, 0),
    ]),
  );
  const count = (kind: Violation['kind']) =>
    findings.violations.filter((v) => v.kind === kind).length;
  printTable(
    'Guarantees',
    ['check', 'violations'],
    [
      ['overlapping runs within an environment', String(count('overlap'))],
      ['requests run twice without a recovery record', String(count('rerun-without-recovery'))],
      ['requests not in a final status after the drain', String(count('not-final'))],
      ['environments whose first starts broke Id order', String(count('id-order'))],
      ['Completed without a successful run', String(count('completed-without-success'))],
      ['scripts still running after the drain', String(count('script-still-running'))],
    ],
  );
}

/** Each violation with its requests' Log and the replicas' log lines about them. */
export function printViolations(
  violations: Violation[],
  rows: DeploymentRequestEntity[],
  logs: LogLine[],
  faults: FaultEvent[],
): void {
  if (violations.length === 0) return;
  console.log('\nFaults (ms since 1970):');
  for (const f of faults)
    console.log(
      `  ${f.startedAt}-${f.endedAt} ${f.kind} ${f.replica ?? ''} ${f.detail}${f.error ? ` ERROR ${f.error}` : ''}`,
    );
  for (const v of violations.slice(0, 20)) {
    console.log(`\nVIOLATION ${v.kind} in ${v.environment}: ${v.detail}`);
    for (const id of v.requestIds.slice(0, 3)) printRequestEvidence(id, rows, logs);
  }
  if (violations.length > 20) console.log(`\n... and ${violations.length - 20} more violations`);
}

function printRequestEvidence(id: number, rows: DeploymentRequestEntity[], logs: LogLine[]): void {
  const row = rows.find((r) => r.id === id);
  console.log(
    `  request ${id}: status ${row?.status ?? '?'}, owner ${row?.ownerId ?? '-'}, attempt ${row?.attempt ?? '?'}`,
  );
  console.log(`  Log: ${(row?.log ?? '').slice(-800).replace(/\n/g, '\n       ')}`);
  const about = logs.filter((l) => l.json?.requestId === id).slice(-15);
  for (const l of about) {
    const { msg, time, level, requestId: _r, monitorId: _m, ...rest } = l.json ?? {};
    const at = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '?';
    console.log(`    ${at} ${l.replica} [${String(level)}] ${String(msg)} ${JSON.stringify(rest)}`);
  }
}

/** Copies the replicas' logs and the script records somewhere that outlives the cleanup. */
export async function keepEvidence(rig: SoakRig): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dorc-soak-evidence-'));
  await cp(rig.bench.cluster.workDir, join(dir, 'cluster'), { recursive: true }).catch(
    () => undefined,
  );
  await cp(rig.bench.recordFile, join(dir, 'record.log')).catch(() => undefined);
  return dir;
}
