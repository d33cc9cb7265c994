import {
  DistributedLockService,
  HeldLockInfo,
  LockAcquireResult,
  LockHandle,
  LockServiceStatus,
} from './distributed-lock.service';

/**
 * The lock when HA is off: a single replica owns every environment, so every acquire succeeds and
 * nothing is ever lost. Held handles are still tracked so `/locks` shows what is running.
 */
export class NoopLockService extends DistributedLockService {
  readonly enabled = false;
  private readonly held = new Set<LockHandle>();

  async start(): Promise<void> {}

  async acquire(environment: string): Promise<LockAcquireResult> {
    const handle: LockHandle = {
      environment,
      queueName: '',
      acquiredAt: new Date(),
      // Never aborted: without HA there is nobody to lose the lock to.
      signal: new AbortController().signal,
      release: async () => {
        this.held.delete(handle);
      },
    };
    this.held.add(handle);
    return { kind: 'acquired', handle };
  }

  status(): LockServiceStatus {
    return { enabled: false, connection: 'disabled', locks: [...this.held].map(toInfo) };
  }

  isReady(): boolean {
    return true;
  }

  async close(): Promise<void> {
    this.held.clear();
  }
}

function toInfo(handle: LockHandle): HeldLockInfo {
  return {
    environment: handle.environment,
    queueName: handle.queueName,
    acquiredAt: handle.acquiredAt,
  };
}
