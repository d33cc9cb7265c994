import type { Settings } from '../config/settings';
import type { EnvironmentFenceStore } from './environment-fence.store';
import type { Fence } from './fence';
import type { OrphanRecovery } from './orphan-recovery';
import type { RequestStore } from './request.store';

/** What an environment worker needs from the scheduler that owns it. */
export interface SchedulerDeps {
  settings: Settings;
  requests: RequestStore;
  fences: EnvironmentFenceStore;
  recovery: OrphanRecovery;
  /** Request ids this replica is executing right now. */
  runs: { has(id: number): boolean };
  isStopping(): boolean;
  /** `releaseLock` lets the environment go when the run stalls (`LockLeaseSeconds`). */
  runRequest(
    requestId: number,
    environment: string,
    fence: Fence,
    releaseLock: () => void,
  ): Promise<void>;
}
