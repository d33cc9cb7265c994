import {
  DeploymentRequestEntity,
  FINAL_REQUEST_STATUSES,
} from '../../src/persistence/entities/deployment-request.entity';
import { overlaps, runEnd, StepRun } from '../cluster/run-records';
import { summarize, Summary } from '../support/stats';
import { FaultEvent } from './fault-injector';

export type ViolationKind =
  | 'overlap'
  | 'rerun-without-recovery'
  | 'not-final'
  | 'id-order'
  | 'completed-without-success'
  | 'script-still-running';

export interface Violation {
  kind: ViolationKind;
  environment: string;
  requestIds: number[];
  detail: string;
}

export interface SoakFindings {
  violations: Violation[];
  /** Per fault kind: ms from the fault to the next start in each environment the victim was running. */
  failover: Record<string, Summary>;
}

const RECOVERY_NOTE = /Recovered by /g;

/** Every guarantee the soak checks, from the script records and the final request rows. */
export function checkSoak(
  runs: StepRun[],
  rows: DeploymentRequestEntity[],
  faults: FaultEvent[],
): SoakFindings {
  const violations = [
    ...overlapViolations(runs),
    ...rerunViolations(runs, rows),
    ...notFinalViolations(rows),
    ...orderViolations(runs),
    ...outcomeViolations(runs, rows),
    ...stillRunning(runs),
  ];
  return { violations, failover: failoverTimes(runs, faults) };
}

function overlapViolations(runs: StepRun[]): Violation[] {
  return overlaps(runs, Date.now()).map(([a, b]) => ({
    kind: 'overlap',
    environment: a.environment,
    requestIds: [a.requestId, b.requestId],
    detail: `${describe(a)} overlaps ${describe(b)}`,
  }));
}

/** A request that ran n times needs at least n - 1 recovery notes in its Log. */
function rerunViolations(runs: StepRun[], rows: DeploymentRequestEntity[]): Violation[] {
  const counts = new Map<number, number>();
  for (const run of runs) counts.set(run.requestId, (counts.get(run.requestId) ?? 0) + 1);
  return rows.flatMap((row) => {
    const started = counts.get(row.id) ?? 0;
    const notes = (row.log ?? '').match(RECOVERY_NOTE)?.length ?? 0;
    if (started <= 1 || notes >= started - 1) return [];
    const detail = `ran ${started} times with ${notes} recovery note(s); status ${row.status}`;
    return [
      {
        kind: 'rerun-without-recovery' as const,
        environment: row.environment ?? '',
        requestIds: [row.id],
        detail,
      },
    ];
  });
}

function notFinalViolations(rows: DeploymentRequestEntity[]): Violation[] {
  return rows
    .filter((r) => !FINAL_REQUEST_STATUSES.includes(r.status))
    .map((r) => ({
      kind: 'not-final' as const,
      environment: r.environment ?? '',
      requestIds: [r.id],
      detail: `still ${r.status} (owner ${r.ownerId ?? '-'}, epoch ${r.epoch ?? '-'}) after the drain`,
    }));
}

/** Within an environment, requests first started in Id order. */
function orderViolations(runs: StepRun[]): Violation[] {
  const firstStarts = new Map<string, number[]>();
  for (const run of runs) {
    const ids = firstStarts.get(run.environment) ?? [];
    if (!ids.includes(run.requestId)) ids.push(run.requestId);
    firstStarts.set(run.environment, ids);
  }
  return [...firstStarts.entries()].flatMap(([environment, ids]) => {
    const late = ids.filter((id, i) => i > 0 && id < ids[i - 1]);
    if (late.length === 0) return [];
    const detail = `first starts in order ${ids.join(', ')}`;
    return [{ kind: 'id-order' as const, environment, requestIds: late, detail }];
  });
}

/** Completed means a run of its script ended with exit code 0. */
function outcomeViolations(runs: StepRun[], rows: DeploymentRequestEntity[]): Violation[] {
  const succeeded = new Set(runs.filter((r) => r.exitCode === 0).map((r) => r.requestId));
  return rows
    .filter((r) => r.status === 'Completed' && !succeeded.has(r.id))
    .map((r) => ({
      kind: 'completed-without-success' as const,
      environment: r.environment ?? '',
      requestIds: [r.id],
      detail: 'Completed, but no run of its script ended with exit code 0',
    }));
}

function stillRunning(runs: StepRun[]): Violation[] {
  return runs
    .filter((r) => r.end === null && r.gone === null)
    .map((r) => ({
      kind: 'script-still-running' as const,
      environment: r.environment,
      requestIds: [r.requestId],
      detail: `${describe(r)} has neither ended nor died after the drain`,
    }));
}

function failoverTimes(runs: StepRun[], faults: FaultEvent[]): Record<string, Summary> {
  const byKind = new Map<string, number[]>();
  for (const fault of faults.filter((f) => f.replica !== undefined && !f.error)) {
    const t = fault.startedAt;
    const inFlight = runs.filter(
      (r) => r.replica === fault.replica && r.start < t && runEnd(r) > t,
    );
    for (const env of new Set(inFlight.map((r) => r.environment))) {
      const next = runs.find((r) => r.environment === env && r.start > t);
      if (next) byKind.set(fault.kind, [...(byKind.get(fault.kind) ?? []), next.start - t]);
    }
  }
  return Object.fromEntries([...byKind.entries()].map(([kind, ms]) => [kind, summarize(ms)]));
}

export function describe(run: StepRun): string {
  const end = run.end ?? run.gone;
  const how =
    run.end !== null ? `exit ${run.exitCode}` : run.gone !== null ? 'killed' : 'still running';
  return `request ${run.requestId} on ${run.replica} (pid ${run.pid}) ${iso(run.start)} - ${end === null ? '?' : iso(end)} (${how})`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}
