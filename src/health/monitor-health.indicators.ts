import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { MonitorRuntime } from '../runtime/monitor-runtime';
import { tokenReadiness } from './token-readiness';

const DB_PING_TIMEOUT_MS = 3000;

/** The checks behind /health/live, /health/ready and /health. */
@Injectable()
export class MonitorHealthIndicators {
  constructor(
    private readonly runtime: MonitorRuntime,
    private readonly health: HealthIndicatorService,
  ) {}

  /** Liveness: the poll loop keeps turning. Never the database or the broker. */
  pollLoop() {
    const session = this.health.check('poll');
    const limitMs = Math.max(60_000, this.runtime.settings.requestProcessingIterationDelayMs * 20);
    const sinceMs = Date.now() - this.runtime.scheduler.lastTurnAt;
    const data = { lastTurnMsAgo: sinceMs, limitMs };
    return sinceMs <= limitMs ? session.up(data) : session.down(data);
  }

  notShuttingDown() {
    const session = this.health.check('lifecycle');
    return this.runtime.isShuttingDown
      ? session.down({ state: 'shutting down' })
      : session.up({ state: 'running' });
  }

  async database() {
    const session = this.health.check('database');
    const type = this.runtime.settings.database.type;
    try {
      await withTimeout(this.runtime.dataSource.query('SELECT 1'), DB_PING_TIMEOUT_MS);
      return session.up({ type });
    } catch (error) {
      return session.down({
        type,
        message: error instanceof Error ? error.message : 'unreachable',
      });
    }
  }

  lockConnection() {
    const session = this.health.check('lock');
    const status = this.runtime.lock.status();
    const data = {
      enabled: status.enabled,
      connection: status.connection,
      lastError: status.lastError,
    };
    return this.runtime.lock.isReady() ? session.up(data) : session.down(data);
  }

  /** Fails when no valid token can be had, and before expiry once renewal is overdue. */
  token() {
    const session = this.health.check('token');
    const client = this.runtime.tokenClient;
    if (!client) return session.up({ used: false });
    const state = client.state();
    const margin = this.runtime.settings.highAvailability.rabbitMq.oauth.refreshMarginSeconds;
    const { ready, secondsToExpiry } = tokenReadiness(state, margin, Date.now());
    const data = {
      used: true,
      validUntil: state.validUntil?.toISOString(),
      secondsToExpiry,
      lastError: state.lastError,
    };
    return ready ? session.up(data) : session.down(data);
  }

  heldLocks() {
    const status = this.runtime.lock.status();
    return this.health.check('locks').up({
      held: status.locks.map((l) => ({ environment: l.environment, queue: l.queueName })),
      running: this.runtime.scheduler.runs
        .all()
        .map((r) => ({ requestId: r.requestId, environment: r.environment })),
    });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
