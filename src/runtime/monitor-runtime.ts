import type { DataSource } from 'typeorm';
import type { Settings } from '../config/settings';
import { DeploymentExecutor } from '../deployment/deployment-executor';
import { AppLogger } from '../logging/app-logger';
import { MonitorMetrics } from '../metrics/monitor-metrics';
import { OAuthTokenClient } from '../oauth/oauth-token.client';
import { DistributedLockService } from '../rabbit-lock/distributed-lock.service';
import { SchedulerService } from '../scheduler/scheduler.service';
import { DeferredEvents } from './deferred-events';
import { createLockService } from './lock-service.factory';
import { scriptBaseEnv } from '../config/script-base-env';

/**
 * Everything one monitor process runs, built from the validated settings: the database, the
 * lock service (RabbitMQ or no-op), the token client, the executor and the scheduler.
 */
export class MonitorRuntime {
  private readonly logger = new AppLogger('Monitor');
  readonly metrics = new MonitorMetrics();
  readonly events = new DeferredEvents();
  readonly lock: DistributedLockService;
  readonly tokenClient?: OAuthTokenClient;
  readonly scheduler: SchedulerService;
  private shuttingDown = false;
  private stopped?: Promise<void>;

  constructor(
    readonly settings: Settings,
    readonly dataSource: DataSource,
  ) {
    const { lock, tokenClient } = createLockService(settings, this.metrics);
    this.lock = lock;
    this.tokenClient = tokenClient;
    const executor = new DeploymentExecutor(dataSource, settings, scriptBaseEnv());
    this.scheduler = new SchedulerService(
      dataSource,
      settings,
      lock,
      executor,
      this.metrics,
      this.events,
    );
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  async start(): Promise<void> {
    this.tokenClient?.start();
    await this.lock.start();
    this.scheduler.start();
    this.logger.log('Monitor started', {
      highAvailability: this.settings.highAvailability.enabled,
      isProduction: this.settings.isProduction,
      database: this.settings.database.type,
    });
  }

  /** Readiness turns 503 at once; runs get the grace period; then every lock is released. */
  stop(): Promise<void> {
    this.shuttingDown = true;
    this.stopped ??= this.doStop();
    return this.stopped;
  }

  private async doStop(): Promise<void> {
    this.logger.log('Monitor stopping', { graceSeconds: this.settings.shutdownGraceSeconds });
    await this.scheduler.stop(this.settings.shutdownGraceSeconds * 1000);
    await this.lock.close();
    this.tokenClient?.stop();
    this.logger.log('Monitor stopped');
  }
}
