import type { Settings } from '../config/settings';
import { ActiveRuns } from './active-runs';
import { MonitorRegistryStore } from './monitor-registry.store';
import { isOrphan } from './orphan-recovery';
import { isRestartInFlight, OpenRequest } from './request.store';

const CLAIMED = ['Requesting', 'Running', 'Cancelling'];

/**
 * Chooses the environments this replica should try to lock on one turn: those with startable
 * or orphaned work, not blocked by a Paused head or a live run, not in backoff, within
 * `MaxConcurrentDeployments`, and within a fair share of the work so that replicas spread out.
 * An environment left waiting for a few turns is taken regardless, so the share never idles work.
 */
export class CandidatePicker {
  private readonly backoffs = new Map<string, { until: number; delayMs: number }>();
  private readonly waitingSince = new Map<string, number>();

  constructor(
    private readonly settings: Settings,
    private readonly registry: MonitorRegistryStore,
  ) {}

  async pick(
    rows: OpenRequest[],
    me: string,
    runs: ActiveRuns,
    held: Set<string>,
  ): Promise<string[]> {
    const byEnv = groupByEnvironment(rows);
    const ready = [...byEnv.entries()]
      .filter(([env, list]) => !held.has(env) && isCandidate(list, me, runs))
      .map(([env]) => env);
    this.trackWaiting(ready);
    const open = ready.filter((env) => !this.inBackoff(env));
    const slots = this.capacity(held.size);
    if (!this.settings.highAvailability.enabled) return open.slice(0, slots);
    const share = await this.fairShare(byEnv, ready.length, held);
    const overdue = open.filter((env) => this.isOverdue(env));
    const rest = shuffle(open.filter((env) => !overdue.includes(env))).slice(0, share);
    return [...overdue, ...rest].slice(0, slots);
  }

  backoff(environment: string): void {
    const previous = this.backoffs.get(environment)?.delayMs ?? 500;
    const delayMs = Math.min(10_000, previous * 2);
    const jitter = delayMs * (0.8 + Math.random() * 0.4);
    this.backoffs.set(environment, { until: Date.now() + jitter, delayMs });
  }

  clearBackoff(environment: string): void {
    this.backoffs.delete(environment);
  }

  private inBackoff(environment: string): boolean {
    const entry = this.backoffs.get(environment);
    return entry !== undefined && entry.until > Date.now();
  }

  private capacity(heldCount: number): number {
    const max = this.settings.maxConcurrentDeployments;
    return max === 0 ? Number.MAX_SAFE_INTEGER : Math.max(0, max - heldCount);
  }

  private async fairShare(
    byEnv: Map<string, OpenRequest[]>,
    readyCount: number,
    held: Set<string>,
  ) {
    const mine = held.size;
    const live = await this.registry.live(
      Math.max(5000, this.settings.requestProcessingIterationDelayMs * 5),
    );
    const replicas = Math.max(1, live.length);
    // Environments someone else is working; this replica's own are counted once, in `mine`.
    const busyElsewhere = [...byEnv.entries()].filter(
      ([env, l]) => !held.has(env) && l.some((r) => CLAIMED.includes(r.status)),
    ).length;
    const work = readyCount + busyElsewhere + mine;
    return Math.max(0, Math.ceil(work / replicas) - mine);
  }

  private trackWaiting(ready: string[]): void {
    const now = Date.now();
    for (const env of [...this.waitingSince.keys()]) {
      if (!ready.includes(env)) this.waitingSince.delete(env);
    }
    for (const env of ready) if (!this.waitingSince.has(env)) this.waitingSince.set(env, now);
  }

  private isOverdue(environment: string): boolean {
    const since = this.waitingSince.get(environment);
    return (
      since !== undefined &&
      Date.now() - since > 3 * this.settings.requestProcessingIterationDelayMs
    );
  }
}

function groupByEnvironment(rows: OpenRequest[]): Map<string, OpenRequest[]> {
  const map = new Map<string, OpenRequest[]>();
  for (const row of rows) {
    const list = map.get(row.environment) ?? [];
    list.push(row);
    map.set(row.environment, list);
  }
  return map;
}

/** Startable head, or an orphan to recover; never while someone's live run is there. */
function isCandidate(list: OpenRequest[], me: string, runs: ActiveRuns): boolean {
  const relevant = list.filter(
    (r) =>
      (r.status !== 'Restarting' || isRestartInFlight(r)) &&
      !(r.status === 'Cancelling' && r.ownerId === null),
  );
  const claimed = relevant.filter((r) => CLAIMED.includes(r.status) || isRestartInFlight(r));
  const orphans = claimed.filter((r) => isOrphan(r, me, (id) => runs.has(id)));
  if (claimed.length > orphans.length) return false;
  if (orphans.length > 0) return true;
  const head = relevant[0];
  return head !== undefined && (head.status === 'Pending' || head.status === 'Confirmed');
}

function shuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
