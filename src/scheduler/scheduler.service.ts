import type { DataSource } from 'typeorm';
import type { Settings } from '../config/settings';
import { DeploymentExecutor } from '../deployment/deployment-executor';
import type { RunOutcome } from '../deployment/run-types';
import { MonitorEvents } from '../events/monitor-events';
import { AppLogger } from '../logging/app-logger';
import { MonitorMetrics } from '../metrics/monitor-metrics';
import { DistributedLockService } from '../rabbit-lock/distributed-lock.service';
import { ActiveRuns } from './active-runs';
import { CandidatePicker } from './candidate-picker';
import { EnvironmentFenceStore } from './environment-fence.store';
import { EnvironmentWorker } from './environment-worker';
import { Fence } from './fence';
import { LeaseKeeper } from './lease-keeper';
import { MonitorRegistryStore } from './monitor-registry.store';
import { OrphanRecovery } from './orphan-recovery';
import { OpenRequest, RequestStore } from './request.store';
import { ResultStore } from './result.store';
import { SchedulerDeps } from './scheduler-deps';
import { PollTimer } from './poll-timer';

/**
 * The polling loop: signals (cancel, restart) to the runs they concern, then new work, one
 * environment worker per held lock. Stops cleanly: no new work, a grace period, then aborts.
 */
export class SchedulerService {
  private readonly logger = new AppLogger('Scheduler');
  readonly runs = new ActiveRuns();
  private readonly workers = new Map<string, Promise<void>>();
  private readonly deps: SchedulerDeps;
  private readonly picker: CandidatePicker;
  private readonly registry: MonitorRegistryStore;
  private readonly timer: PollTimer;
  private stopping = false;
  /** Logged once per outage, not on every poll. */
  private lockUnavailable = false;
  private turns = 0;
  lastTurnAt = Date.now();

  constructor(
    dataSource: DataSource,
    private readonly settings: Settings,
    private readonly lock: DistributedLockService,
    private readonly executor: DeploymentExecutor,
    private readonly metrics: MonitorMetrics,
    private readonly events: MonitorEvents,
  ) {
    const requests = new RequestStore(dataSource);
    const recovery = new OrphanRecovery(
      requests,
      new ResultStore(dataSource),
      settings.highAvailability.recoveryPolicy,
    );
    this.deps = {
      settings,
      requests,
      fences: new EnvironmentFenceStore(dataSource),
      recovery,
      runs: this.runs,
      isStopping: () => this.stopping,
      runRequest: (id, env, fence, releaseLock) => this.runRequest(id, env, fence, releaseLock),
    };
    this.registry = new MonitorRegistryStore(dataSource);
    this.picker = new CandidatePicker(settings, this.registry);
    this.timer = new PollTimer(settings.requestProcessingIterationDelayMs, () => this.turn());
    this.events.onLockReleased((env) => this.nudge(env));
  }

  start(): void {
    this.timer.start();
  }

  /** Another replica let an environment go: try it at once instead of after the backoff. */
  nudge(environment: string): void {
    this.picker.clearBackoff(environment);
    this.timer.soon();
  }

  activeEnvironments(): string[] {
    return [...this.workers.keys()];
  }

  private async turn(): Promise<void> {
    if (this.stopping) return;
    const started = process.hrtime.bigint();
    try {
      await this.registry.heartbeat(this.settings.monitorId);
      const rows = await this.deps.requests.open(this.settings.isProduction);
      await this.dispatchSignals(rows);
      await this.abandonNow();
      await this.startWork(rows);
    } catch (error) {
      this.logger.warn('Polling iteration failed; will retry', { error: errorText(error) });
    } finally {
      this.lastTurnAt = Date.now();
      this.metrics.pollSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private async dispatchSignals(rows: OpenRequest[]): Promise<void> {
    for (const row of rows) {
      if (row.status === 'Cancelling') await this.onCancelling(row);
      if (row.status === 'Restarting') await this.onRestarting(row);
    }
  }

  private async onCancelling(row: OpenRequest): Promise<void> {
    if (this.runs.abort(row.id, 'cancel')) {
      this.logger.log('Cancelling running request', {
        environment: row.environment,
        requestId: row.id,
      });
      return;
    }
    if (row.ownerId !== null) return;
    if (await this.deps.requests.cancelUnclaimed(row.id, 'Cancelled before it started.')) {
      this.events.requestStatus(row.id, 'Cancelled', row.environment);
    }
  }

  private async onRestarting(row: OpenRequest): Promise<void> {
    if (this.runs.abort(row.id, 'restart')) return;
    if (await this.deps.requests.restartIdle(row.id)) {
      this.logger.log('Request restarted', { environment: row.environment, requestId: row.id });
      this.events.requestStatus(row.id, 'Pending', row.environment);
    }
  }

  private async abandonNow(): Promise<void> {
    if (this.turns++ % 60 !== 0) return;
    const afterMs = this.settings.abandonAfterHours * 3600 * 1000;
    const count = await this.deps.requests.abandonStale(this.settings.isProduction, afterMs);
    if (count > 0)
      this.logger.warn('Marked requests Abandoned', {
        count,
        afterHours: this.settings.abandonAfterHours,
      });
  }

  private async startWork(rows: OpenRequest[]): Promise<void> {
    const me = this.settings.monitorId;
    const candidates = await this.picker.pick(rows, me, this.runs, new Set(this.workers.keys()));
    for (const environment of candidates) {
      if (this.stopping) return;
      const outcome = await this.tryLock(environment);
      if (outcome === 'unavailable') return;
    }
  }

  private async tryLock(environment: string): Promise<'acquired' | 'busy' | 'unavailable'> {
    const started = process.hrtime.bigint();
    const result = await this.lock.acquire(environment);
    this.metrics.lockAcquireSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    this.metrics.lockAcquisitions.inc({ result: result.kind });
    if (result.kind === 'busy') {
      this.picker.backoff(environment);
      this.logger.debug(
        `Could not acquire distributed lock for environment '${environment}' - likely being processed by another monitor instance`,
        { environment },
      );
      return 'busy';
    }
    if (result.kind === 'unavailable') {
      if (this.lockUnavailable) return 'unavailable';
      this.lockUnavailable = true;
      this.logger.debug('Lock service unavailable; no new work starts until it is back', {
        environment,
        reason: result.reason,
      });
      return 'unavailable';
    }
    this.spawnWorker(
      new EnvironmentWorker(this.deps, environment, result.handle),
      result.handle.signal,
    );
    return 'acquired';
  }

  private spawnWorker(worker: EnvironmentWorker, signal: AbortSignal): void {
    const env = worker.environment;
    this.metrics.locksHeld.set({ environment: env }, 1);
    this.events.lock(env, 'acquired');
    signal.addEventListener('abort', () => this.onLockLost(env, signal.reason), { once: true });
    const done = worker.run().then((outcome) => {
      this.workers.delete(env);
      this.metrics.locksHeld.remove({ environment: env });
      if (!signal.aborted) this.events.lock(env, 'released');
      if (outcome !== 'drained') return this.picker.backoff(env);
      this.picker.clearBackoff(env);
      this.timer.soon();
    });
    this.workers.set(env, done);
  }

  private onLockLost(environment: string, reason: unknown): void {
    const why = (reason as { reason?: string } | undefined)?.reason ?? 'unknown';
    this.metrics.locksLost.inc({ reason: why });
    this.events.lock(environment, 'lost');
    this.logger.warn(
      'Lost distributed lock; no new request will start there until it is re-acquired',
      {
        environment,
        reason: why,
        running: this.runs
          .all()
          .filter((r) => r.environment === environment)
          .map((r) => r.requestId),
      },
    );
  }

  private async runRequest(
    requestId: number,
    environment: string,
    fence: Fence,
    releaseLock: () => void,
  ): Promise<void> {
    const controller = new AbortController();
    const ha = this.settings.highAvailability;
    const leaseMs = ha.requestLeaseSeconds * 1000;
    const killAfterMs = ha.enabled ? Math.floor(leaseMs * 0.6) : 0;
    const keeper = new LeaseKeeper(this.deps.requests, fence, requestId, {
      leaseMs,
      killAfterMs,
      stallAfterMs: ha.lockLeaseSeconds * 1000,
      onLost: (reason) => controller.abort(reason),
      onStalled: () => {
        this.logger.error('No progress for LockLeaseSeconds; letting the environment lock go', {
          environment,
          requestId,
          lockLeaseSeconds: ha.lockLeaseSeconds,
        });
        releaseLock();
      },
    });
    const isProd = this.settings.isProduction;
    const started = Date.now();
    keeper.start();
    const done = this.executor.execute({
      requestId,
      environment,
      isProd,
      fence,
      signal: controller.signal,
      watchdogKillAfterMs: killAfterMs,
      onScript: (script) => keeper.setScript(script),
    });
    this.runs.add({
      requestId,
      environment,
      startedAt: new Date(),
      epoch: fence.epoch,
      controller,
      done,
    });
    this.events.requestStatus(requestId, 'Running', environment);
    try {
      const outcome = await done.catch((error: unknown) =>
        this.failedRun(requestId, environment, error),
      );
      await this.afterRun(requestId, environment, fence, outcome, Date.now() - started);
    } finally {
      keeper.stop();
      this.runs.remove(requestId);
    }
  }

  private failedRun(requestId: number, environment: string, error: unknown): RunOutcome {
    this.logger.error('Run failed unexpectedly; leaving the request for recovery', {
      environment,
      requestId,
      error: errorText(error),
    });
    return 'Interrupted';
  }

  private async afterRun(
    requestId: number,
    environment: string,
    fence: Fence,
    outcome: RunOutcome,
    ms: number,
  ) {
    const fields = { environment, requestId, outcome, durationMs: ms };
    if (outcome === 'Fenced') {
      this.metrics.fencingRejections.inc();
      this.logger.warn('Run stopped: this monitor was fenced out of the environment', fields);
      return;
    }
    if (outcome === 'Interrupted') return this.requeueOwn(requestId, environment, fence);
    this.metrics.requestsFinished.inc({ status: outcome });
    this.metrics.deploymentSeconds.observe(ms / 1000);
    this.events.requestStatus(requestId, outcome, environment);
    this.logger.log('Deployment request finished', fields);
  }

  /** Our own run stopped by shutdown: hand it back now rather than waiting for the lease. */
  private async requeueOwn(requestId: number, environment: string, fence: Fence): Promise<void> {
    const [row] = (await this.deps.requests.open(this.settings.isProduction, environment)).filter(
      (r) => r.id === requestId,
    );
    if (!row) return;
    await this.deps.recovery.recover(row, fence, 'its monitor shut down before it finished');
  }

  /** Stop taking work, let runs finish within the grace period, then abort them and release. */
  async stop(graceMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.timer.stop();
    const all = Promise.allSettled([...this.workers.values()]);
    const inTime = await Promise.race([all.then(() => true), delay(graceMs).then(() => false)]);
    if (!inTime) {
      this.logger.warn('Shutdown grace period over; stopping running deployments', {
        running: this.runs.all().map((r) => r.requestId),
      });
      this.runs.abortAll('shutdown');
      await all;
    }
    await this.registry.remove(this.settings.monitorId).catch(() => undefined);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
