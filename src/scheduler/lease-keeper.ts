import { AppLogger } from '../logging/app-logger';
import type { RunAbortReason, ScriptPinger } from '../deployment/run-types';
import { Fence } from './fence';
import { RequestStore } from './request.store';

export interface LeaseKeeperOptions {
  leaseMs: number;
  /** How long a script may live after the last renewal was sent; 0 = no deadline (HA off). */
  killAfterMs: number;
  /** No successful renewal for this long: the environment lock must go (`LockLeaseSeconds`). */
  stallAfterMs: number;
  onLost(reason: RunAbortReason): void;
  /** Called once when renewals have stalled for `stallAfterMs`, even if a renewal still hangs. */
  onStalled(): void;
}

/**
 * Renews the lease of one in-flight request every fifth of the lease and passes each success on
 * to the script's watchdog. The watchdog deadline runs from when a renewal was *sent*, and is
 * shorter than the lease, so a frozen or cut-off monitor's script dies before anyone else may
 * take the request over.
 */
export class LeaseKeeper {
  private readonly logger = new AppLogger('Lease');
  private timer?: NodeJS.Timeout;
  private checkTimer?: NodeJS.Timeout;
  private stalled = false;
  private lost = false;
  private closed = false;
  private lastOkSentAt = Date.now();
  private script: ScriptPinger | null = null;

  constructor(
    private readonly store: RequestStore,
    private readonly fence: Fence,
    private readonly requestId: number,
    private readonly options: LeaseKeeperOptions,
  ) {}

  start(): void {
    this.lastOkSentAt = Date.now();
    this.arm();
    this.armCheck();
  }

  stop(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.checkTimer) clearTimeout(this.checkTimer);
  }

  setScript(script: ScriptPinger | null): void {
    this.script = script;
    this.pingScript();
  }

  private arm(): void {
    if (this.closed || this.lost) return;
    const every = Math.max(200, Math.floor(this.options.leaseMs / 5));
    this.timer = setTimeout(() => void this.renew(), every);
  }

  private async renew(): Promise<void> {
    const sentAt = Date.now();
    try {
      const ok = await this.store.renewLease(this.requestId, this.fence, this.options.leaseMs);
      if (this.closed || this.lost) return;
      if (!ok) return this.lose('fenced');
      this.lastOkSentAt = sentAt;
      this.pingScript();
    } catch (error) {
      this.logger.warn('Could not renew the lease; retrying', {
        environment: this.fence.environment,
        requestId: this.requestId,
        error: error instanceof Error ? error.message : String(error),
      });
      if (this.expired()) return this.lose('lease-lost');
    }
    this.arm();
  }

  /**
   * Independent of the renewal itself, which may hang on a dead database connection: the run is
   * abandoned when the watchdog deadline passes, and the lock is let go after `stallAfterMs`.
   */
  private armCheck(): void {
    if (this.closed) return;
    this.checkTimer = setTimeout(() => {
      if (this.expired()) this.lose('lease-lost');
      if (!this.stalled && Date.now() - this.lastOkSentAt >= this.options.stallAfterMs) {
        this.stalled = true;
        this.options.onStalled();
      }
      if (!this.stalled) this.armCheck();
    }, 1000);
  }

  private expired(): boolean {
    const limit = this.options.killAfterMs;
    return limit > 0 && Date.now() - this.lastOkSentAt >= limit;
  }

  private pingScript(): void {
    const limit = this.options.killAfterMs;
    if (!this.script || limit <= 0) return;
    this.script.ping(Math.max(0, limit - (Date.now() - this.lastOkSentAt)));
  }

  private lose(reason: RunAbortReason): void {
    if (this.closed || this.lost) return;
    this.lost = true;
    if (this.timer) clearTimeout(this.timer);
    this.options.onLost(reason);
  }
}
