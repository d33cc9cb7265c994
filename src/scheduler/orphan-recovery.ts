import type { RecoveryPolicy } from '../config/settings';
import { AppLogger } from '../logging/app-logger';
import { Fence } from './fence';
import { CLAIMED_STATUSES, OpenRequest, RequestStore } from './request.store';
import { ResultStore } from './result.store';

/** A claimed request nobody is running any more: its owner's lease lapsed, or it was ours. */
export function isOrphan(row: OpenRequest, ownerId: string, runningHere: (id: number) => boolean) {
  if (!CLAIMED_STATUSES.includes(row.status)) return false;
  if (runningHere(row.id)) return false;
  if (row.ownerId === null || row.ownerId === ownerId) return true;
  return row.leaseExpiresAt === null || row.leaseExpiresAt < row.nowMs;
}

/** Finishes or requeues orphaned requests under this replica's fence, by policy. */
export class OrphanRecovery {
  private readonly logger = new AppLogger('Recovery');

  constructor(
    private readonly requests: RequestStore,
    private readonly results: ResultStore,
    private readonly policy: RecoveryPolicy,
  ) {}

  async recover(row: OpenRequest, fence: Fence, why: string): Promise<boolean> {
    const previous = await this.requests.readLog(row.id);
    const stamp = new Date().toISOString();
    const cancelled = row.status === 'Cancelling';
    const status = cancelled ? 'Cancelled' : this.policy === 'Resume' ? 'Pending' : 'Errored';
    const note =
      `[${stamp}] Recovered by ${fence.ownerId}: ${why} (previous owner ` +
      `${row.ownerId ?? 'unknown'}, epoch ${row.epoch ?? '-'}); ${describe(status)}.`;
    const log = previous ? `${previous}\n${note}` : note;
    const set =
      status === 'Pending'
        ? { Status: status, Log: log }
        : { Status: status, Log: log, CompletedTime: new Date() };
    const done = await this.requests.recover(row, fence, set, true);
    if (!done) return false;
    if (status !== 'Pending') await this.results.closeUnfinished(row.id);
    this.logger.log('Recovered orphaned request', {
      environment: fence.environment,
      requestId: row.id,
      previousOwner: row.ownerId,
      outcome: status,
      why,
    });
    return true;
  }
}

function describe(status: string): string {
  if (status === 'Pending') return 'it will run again (RecoveryPolicy Resume)';
  if (status === 'Errored') return 'marked Errored (RecoveryPolicy Fail)';
  return 'it was being cancelled, so it is now Cancelled';
}
