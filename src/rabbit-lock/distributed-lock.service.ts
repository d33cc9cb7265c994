/** Why a held lock stopped being ours. */
export type LockLossReason =
  'connection-closed' | 'silence' | 'channel-closed' | 'token-refused' | 'no-progress' | 'shutdown';

/** A held environment lock. */
export interface LockHandle {
  readonly environment: string;
  /** The broker queue that embodies the lock (`dorc.lock.env:...`), or '' for the no-op lock. */
  readonly queueName: string;
  readonly acquiredAt: Date;
  /** Aborts (reason: a `LockLostError`) when the lock is lost; never on a normal release. */
  readonly signal: AbortSignal;
  /** Gives the lock back. Safe to call twice and after loss. */
  release(): Promise<void>;
}

export type LockAcquireResult =
  | { kind: 'acquired'; handle: LockHandle }
  | { kind: 'busy' }
  | { kind: 'unavailable'; reason: string };

export interface HeldLockInfo {
  environment: string;
  queueName: string;
  acquiredAt: Date;
}

export interface LockServiceStatus {
  enabled: boolean;
  /** 'disabled' for the no-op lock. */
  connection: 'disabled' | 'connecting' | 'connected' | 'disconnected';
  lastError?: string;
  locks: HeldLockInfo[];
}

export class LockLostError extends Error {
  constructor(
    readonly environment: string,
    readonly reason: LockLossReason,
    detail?: string,
  ) {
    super(`lock for environment '${environment}' lost: ${reason}${detail ? ` (${detail})` : ''}`);
    this.name = 'LockLostError';
  }
}

/**
 * Per-environment mutual exclusion between monitor replicas. The RabbitMQ implementation serves
 * HA; the no-op one (HA disabled) always grants and never loses.
 */
export abstract class DistributedLockService {
  abstract readonly enabled: boolean;
  /** Connects (if needed). Never throws for broker trouble: `status()` and readiness report it. */
  abstract start(): Promise<void>;
  /**
   * Tries once, without waiting: `busy` when another holder has it, `unavailable` when the broker
   * cannot be asked.
   */
  abstract acquire(environment: string): Promise<LockAcquireResult>;
  abstract status(): LockServiceStatus;
  /** Is the lock connection usable right now (readiness)? */
  abstract isReady(): boolean;
  /** Releases every held lock, then closes the connection. Safe to call twice. */
  abstract close(): Promise<void>;
}
