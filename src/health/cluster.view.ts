import { Injectable } from '@nestjs/common';
import { MonitorRuntime } from '../runtime/monitor-runtime';
import { EnvironmentFenceStore } from '../scheduler/environment-fence.store';
import { MonitorRegistryStore } from '../scheduler/monitor-registry.store';
import { RequestStore } from '../scheduler/request.store';

const CLAIMED = ['Requesting', 'Running', 'Cancelling'];

/** The whole cluster's work in progress, read from the database so any replica can answer. */
@Injectable()
export class ClusterView {
  constructor(private readonly runtime: MonitorRuntime) {}

  async describe() {
    const ds = this.runtime.dataSource;
    const settings = this.runtime.settings;
    const [rows, fences, monitors] = await Promise.all([
      new RequestStore(ds).open(settings.isProduction),
      new EnvironmentFenceStore(ds).holders(),
      new MonitorRegistryStore(ds).live(
        Math.max(5000, settings.requestProcessingIterationDelayMs * 5),
      ),
    ]);
    const inProgress = rows.filter((r) => CLAIMED.includes(r.status));
    return {
      monitors,
      environments: inProgress.map((r) => ({
        environment: r.environment,
        requestId: r.id,
        status: r.status,
        ownerId: r.ownerId,
        epoch: r.epoch,
        leaseExpiresInMs: r.leaseExpiresAt === null ? null : r.leaseExpiresAt - r.nowMs,
        fenceEpoch: fences.find((f) => f.environment === r.environment)?.epoch ?? null,
      })),
      pending: rows.filter((r) => r.status === 'Pending' || r.status === 'Confirmed').length,
    };
  }
}
