import { Controller, Get } from '@nestjs/common';
import { MonitorRuntime } from '../runtime/monitor-runtime';
import { ClusterView } from './cluster.view';

/** Who holds what: this replica (`/locks`) and every replica, from the database (`/locks/cluster`). */
@Controller('locks')
export class LocksController {
  constructor(
    private readonly runtime: MonitorRuntime,
    private readonly cluster: ClusterView,
  ) {}

  @Get()
  locks() {
    const status = this.runtime.lock.status();
    const runs = this.runtime.scheduler.runs.all();
    const token = this.runtime.tokenClient?.state();
    return {
      monitorId: this.runtime.settings.monitorId,
      highAvailability: this.runtime.settings.highAvailability.enabled,
      broker: { connection: status.connection, lastError: status.lastError },
      token: token
        ? { valid: token.hasValidToken, validUntil: token.validUntil, lastError: token.lastError }
        : null,
      locks: status.locks.map((l) => {
        const run = runs.find((r) => r.environment === l.environment);
        return {
          environment: l.environment,
          queue: l.queueName,
          acquiredAt: l.acquiredAt,
          requestId: run?.requestId ?? null,
          epoch: run?.epoch ?? null,
        };
      }),
    };
  }

  @Get('cluster')
  clusterView() {
    return this.cluster.describe();
  }
}
