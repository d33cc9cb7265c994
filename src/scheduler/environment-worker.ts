import { AppLogger } from '../logging/app-logger';
import type { LockHandle } from '../rabbit-lock/distributed-lock.service';
import { Fence } from './fence';
import { isOrphan } from './orphan-recovery';
import { isRestartInFlight, OpenRequest } from './request.store';
import type { SchedulerDeps } from './scheduler-deps';

const STARTABLE = ['Pending', 'Confirmed'];

export type WorkerOutcome = 'drained' | 'idle' | 'blocked' | 'failed';

/**
 * Works one environment while this replica holds its lock: recovers orphans, then runs the
 * lowest-Id request, then the next, without giving the lock back in between.
 */
export class EnvironmentWorker {
  private readonly logger = new AppLogger('Scheduler');
  private fence: Fence | null = null;
  private announced = false;
  private released = false;

  constructor(
    private readonly deps: SchedulerDeps,
    readonly environment: string,
    private readonly handle: LockHandle,
  ) {}

  /**
   * `drained`: ran requests until none was left; `idle`: found nothing to start; `blocked`:
   * someone else's live run; `failed`: an error (logged).
   */
  async run(): Promise<WorkerOutcome> {
    try {
      this.fence = await this.deps.fences.take(this.environment, this.deps.settings.monitorId);
      if (!this.fence) return this.logBlocked();
      let ran = 0;
      while (this.canContinue()) {
        const next = await this.nextRequest(this.fence);
        if (next === 'blocked') return 'blocked';
        if (!next) break;
        // A lost compare-and-set (status changed, or fenced): let the next poll look again.
        if (!(await this.claimAndRun(next, this.fence))) break;
        ran++;
      }
      return ran > 0 ? 'drained' : 'idle';
    } catch (error) {
      this.logger.error('Environment worker failed; will retry on a later poll', {
        environment: this.environment,
        error: error instanceof Error ? error.stack : String(error),
      });
      return 'failed';
    } finally {
      await this.release();
    }
  }

  private canContinue(): boolean {
    return !this.deps.isStopping() && !this.handle.signal.aborted;
  }

  private async nextRequest(fence: Fence): Promise<OpenRequest | 'blocked' | undefined> {
    const rows = await this.deps.requests.open(this.deps.settings.isProduction, this.environment);
    const me = this.deps.settings.monitorId;
    for (const row of rows.filter((r) => isOrphan(r, me, (id) => this.deps.runs.has(id)))) {
      await this.deps.recovery.recover(row, fence, 'its owner stopped renewing its lease');
    }
    const open = await this.deps.requests.open(this.deps.settings.isProduction, this.environment);
    const active = open.filter(
      (r) => (r.status !== 'Restarting' || isRestartInFlight(r)) && !isUnclaimedCancel(r),
    );
    if (
      active.some((r) => ['Requesting', 'Running', 'Cancelling', 'Restarting'].includes(r.status))
    )
      return 'blocked';
    const head = active[0];
    return head && STARTABLE.includes(head.status) ? head : undefined;
  }

  private async claimAndRun(row: OpenRequest, fence: Fence): Promise<boolean> {
    const leaseMs = this.deps.settings.highAvailability.requestLeaseSeconds * 1000;
    if (!(await this.deps.requests.claim(row.id, row.status, fence, leaseMs))) return false;
    this.announce(row.id);
    await this.deps.runRequest(row.id, this.environment, fence, () => void this.release());
    return true;
  }

  private announce(requestId: number): void {
    const fields = { environment: this.environment, requestId, epoch: this.fence?.epoch };
    if (this.announced) {
      this.logger.log('Processing next request under the held lock', fields);
      return;
    }
    this.announced = true;
    const message =
      `Acquired distributed lock for environment '${this.environment}' to ` +
      `process request ${requestId}`;
    this.logger.log(message, fields);
  }

  private logBlocked(): WorkerOutcome {
    this.logger.debug('Environment is still leased by another monitor; leaving it alone', {
      environment: this.environment,
    });
    return 'blocked';
  }

  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.handle.release();
    this.logger.debug(`Released distributed lock for environment '${this.environment}'`, {
      environment: this.environment,
    });
  }
}

function isUnclaimedCancel(r: OpenRequest): boolean {
  return r.status === 'Cancelling' && r.ownerId === null;
}
