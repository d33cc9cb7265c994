import { Injectable } from '@nestjs/common';
import type { HeldLockInfo } from '../rabbit-lock/distributed-lock.service';
import { MonitorRuntime } from '../runtime/monitor-runtime';
import type { ActiveRun } from '../scheduler/active-runs';
import { RequestStore } from '../scheduler/request.store';

interface Lease {
  expiresAt: string;
  expiresInMs: number;
}

/** `/locks`: this replica, its broker connection and token, and each lock it holds. */
@Injectable()
export class LocksView {
  constructor(private readonly runtime: MonitorRuntime) {}

  async describe() {
    const status = this.runtime.lock.status();
    const runs = this.runtime.scheduler.runs.all();
    const leases = status.locks.length > 0 ? await this.leases() : new Map<number, Lease>();
    return {
      monitorId: this.runtime.settings.monitorId,
      highAvailability: this.runtime.settings.highAvailability.enabled,
      broker: { connection: status.connection, lastError: status.lastError },
      token: this.token(),
      locks: status.locks.map((lock) => describeLock(lock, runs, leases)),
    };
  }

  private token() {
    const state = this.runtime.tokenClient?.state();
    if (!state) return null;
    return {
      valid: state.hasValidToken,
      validUntil: state.validUntil ?? null,
      lastRefreshAt: state.lastRefreshAt ?? null,
      lastError: state.lastError ?? null,
    };
  }

  /** Lease expiry of the open requests, by id; a database hiccup leaves them unknown. */
  private async leases(): Promise<Map<number, Lease>> {
    const { dataSource, settings } = this.runtime;
    const rows = await new RequestStore(dataSource).open(settings.isProduction).catch(() => []);
    const leases = new Map<number, Lease>();
    for (const row of rows) {
      if (row.leaseExpiresAt === null) continue;
      const expiresAt = new Date(row.leaseExpiresAt).toISOString();
      leases.set(row.id, { expiresAt, expiresInMs: row.leaseExpiresAt - row.nowMs });
    }
    return leases;
  }
}

function describeLock(lock: HeldLockInfo, runs: ActiveRun[], leases: Map<number, Lease>) {
  const run = runs.find((r) => r.environment === lock.environment);
  const lease = run ? leases.get(run.requestId) : undefined;
  return {
    environment: lock.environment,
    queue: lock.queueName,
    acquiredAt: lock.acquiredAt,
    requestId: run?.requestId ?? null,
    epoch: run?.epoch ?? null,
    leaseExpiresAt: lease?.expiresAt ?? null,
    leaseExpiresInMs: lease?.expiresInMs ?? null,
  };
}
