import * as amqp from 'amqplib';
import { EventEmitter } from 'node:events';
import {
  DistributedLockService,
  LockAcquireResult,
  LockLossReason,
  LockLostError,
  LockServiceStatus,
} from './distributed-lock.service';
import { LockConnectionKeeper, LockConnectionState } from './lock-connection.keeper';
import { describeError } from './lock-error-text';
import { LockLogger } from './lock-logger';
import { lockQueueName } from './lock-queue-name';
import {
  closeChannelQuietly,
  declareLock,
  deleteOnFreshChannel,
  withTimeout,
} from './lock-queue.ops';
import { RabbitLockHandle } from './rabbit-lock.handle';
import { RabbitLockOptions, ResolvedLockOptions, resolveLockOptions } from './rabbit-lock.options';

/**
 * Environment locks as exclusive queues `dorc.lock.env:{environment}` on a dedicated raw amqplib
 * connection. The broker lets one connection at a time declare an exclusive queue and deletes it
 * when that connection ends, so a crashed holder frees its locks at once.
 *
 * Safety rules, each from a failure seen in practice:
 * - Any loss of the connection (close, error, silence, refused token) aborts every held handle at
 *   once, before anything else runs. Nothing is re-taken after a reconnect.
 * - A lock channel that closes unexpectedly loses that lock; its queue, which belongs to the
 *   connection and would stay locked, is deleted from a fresh channel, or the connection dropped.
 * - While a lock is being taken, given back or cleaned up, this replica answers `busy` for it: a
 *   second declare on the same connection would succeed and two callers would share one lock.
 */
export class RabbitLockService extends DistributedLockService {
  readonly enabled = true;
  private readonly options: ResolvedLockOptions;
  private readonly logger: LockLogger;
  private readonly keeper: LockConnectionKeeper;
  private readonly held = new Map<string, RabbitLockHandle>();
  /** Environments being acquired, released or cleaned up. */
  private readonly settling = new Set<string>();
  private readonly events = new EventEmitter();
  private closing?: Promise<void>;

  constructor(options: RabbitLockOptions) {
    super();
    this.options = resolveLockOptions(options);
    this.logger = this.options.logger;
    this.keeper = new LockConnectionKeeper(this.options, {
      connected: () => this.emit('connected'),
      lost: (reason, detail) => {
        this.loseAll(reason, detail);
        this.emit('disconnected');
      },
    });
    // Listeners are few and long-lived (scheduler, metrics); no leak warning needed.
    this.events.setMaxListeners(0);
  }

  async start(): Promise<void> {
    await this.keeper.connect();
  }

  async acquire(environment: string): Promise<LockAcquireResult> {
    if (this.held.has(environment) || this.settling.has(environment)) {
      // The scheduler should not ask twice; a second holder on one connection would be a split.
      this.logger.debug('Lock already held or settling in this replica', { environment });
      return { kind: 'busy' };
    }
    const model = this.keeper.model;
    if (this.closing || !model) return { kind: 'unavailable', reason: this.unavailableReason() };

    this.settling.add(environment);
    try {
      return await this.take(model, environment, lockQueueName(environment));
    } finally {
      this.settling.delete(environment);
    }
  }

  status(): LockServiceStatus {
    const { connection, lastError } = this.keeper.status();
    return {
      enabled: true,
      connection,
      ...(lastError === undefined ? {} : { lastError }),
      locks: [...this.held.values()].map(({ environment, queueName, acquiredAt }) => ({
        environment,
        queueName,
        acquiredAt,
      })),
    };
  }

  isReady(): boolean {
    return !this.closing && this.keeper.model !== undefined;
  }

  /**
   * Renews the connection secret (an OAuth token) in place, keeping every lock. On 'failed' the
   * connection is gone and every lock was lost with reason 'token-refused'; also 'failed', with no
   * effect, while there is no connection (the next connect reads the credentials anew).
   */
  updateSecret(newSecret: string, timeoutMs: number): Promise<'ok' | 'failed'> {
    return this.keeper.updateSecret(newSecret, timeoutMs);
  }

  /** Called with each lost lock's error, right after its handle's signal aborted. */
  onLockLost(listener: (error: LockLostError) => void): () => void {
    return this.subscribe('lost', listener);
  }

  /** Called when the lock connection comes up ('connected') or goes ('disconnected'). */
  onConnectionChange(
    listener: (state: Extract<LockConnectionState, 'connected' | 'disconnected'>) => void,
  ): () => void {
    const off = [
      this.subscribe('connected', () => listener('connected')),
      this.subscribe('disconnected', () => listener('disconnected')),
    ];
    return () => off.forEach((unsubscribe) => unsubscribe());
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    const handles = [...this.held.values()];
    const timeoutMs = this.options.closeTimeoutMs;
    await Promise.allSettled(
      handles.map((handle) => withTimeout(handle.release(), timeoutMs, 'releasing a lock')),
    );
    // Whatever could not be released goes with the connection.
    this.loseAll('shutdown', 'the lock service is shutting down');
    await this.keeper.close();
    this.events.removeAllListeners();
  }

  private async take(
    model: amqp.ChannelModel,
    environment: string,
    queueName: string,
  ): Promise<LockAcquireResult> {
    const outcome = await declareLock(model, queueName);
    if (outcome.kind === 'busy') return outcome;
    if (outcome.kind === 'failed') {
      return { kind: 'unavailable', reason: describeError(outcome.error) };
    }
    if (this.closing || this.keeper.model !== model) {
      // The connection died (or is being closed) while the answer was on its way: the queue goes
      // with it.
      return { kind: 'unavailable', reason: this.unavailableReason() };
    }

    const handle = new RabbitLockHandle(environment, queueName, outcome.channel, (h) =>
      this.giveBack(model, h),
    );
    this.held.set(environment, handle);
    // Deferred: when the whole connection goes, amqplib closes its channels just before it
    // reports the connection itself, and that is the loss to report.
    outcome.channel.once('close', () =>
      queueMicrotask(() => this.onLockChannelClosed(model, handle)),
    );
    return { kind: 'acquired', handle };
  }

  private async giveBack(model: amqp.ChannelModel, handle: RabbitLockHandle): Promise<void> {
    if (this.held.get(handle.environment) !== handle) return;
    this.held.delete(handle.environment);
    this.settling.add(handle.environment);
    try {
      await handle.channel.deleteQueue(handle.queueName);
      await closeChannelQuietly(handle.channel);
    } catch (error) {
      this.logger.debug('Lock queue delete failed on its channel; retrying', {
        environment: handle.environment,
        error: describeError(error),
      });
      await this.removeOrphan(model, handle.queueName);
    } finally {
      this.settling.delete(handle.environment);
    }
  }

  private onLockChannelClosed(model: amqp.ChannelModel, handle: RabbitLockHandle): void {
    if (this.held.get(handle.environment) !== handle) return;
    this.loseOne(handle, 'channel-closed', 'the lock channel closed unexpectedly');
    this.settling.add(handle.environment);
    void this.removeOrphan(model, handle.queueName).finally(() => {
      this.settling.delete(handle.environment);
    });
  }

  /**
   * The queue outlives its channel, and while it exists nobody else can take the environment.
   * Delete it from a fresh channel; if even that fails, drop the whole connection, which frees it
   * but loses every other lock too: safer than a lock nobody knows it holds.
   */
  private async removeOrphan(model: amqp.ChannelModel, queueName: string): Promise<void> {
    if (this.keeper.model !== model) return;
    try {
      const deletion = deleteOnFreshChannel(model, queueName);
      await withTimeout(deletion, this.options.closeTimeoutMs, 'deleting a lock queue');
    } catch (error) {
      const detail = `could not delete lock queue: ${describeError(error)}`;
      this.logger.warn('Could not delete a lock queue; dropping the lock connection', { detail });
      this.keeper.drop(model, 'channel-closed', detail);
    }
  }

  private loseAll(reason: LockLossReason, detail: string): void {
    const handles = [...this.held.values()];
    this.held.clear();
    handles.forEach((handle) => this.loseOne(handle, reason, detail));
  }

  private loseOne(handle: RabbitLockHandle, reason: LockLossReason, detail: string): void {
    if (this.held.get(handle.environment) === handle) this.held.delete(handle.environment);
    const error = new LockLostError(handle.environment, reason, detail);
    if (!handle.markLost(error)) return;
    this.logger.warn('Distributed lock lost', { environment: handle.environment, reason, detail });
    this.emit('lost', error);
  }

  private unavailableReason(): string {
    if (this.closing) return 'the lock service is shutting down';
    const { lastError } = this.keeper.status();
    return lastError ? `RabbitMQ is unreachable: ${lastError}` : 'RabbitMQ is not connected';
  }

  private subscribe<A extends unknown[]>(
    event: string,
    listener: (...args: A) => void,
  ): () => void {
    const untyped = listener as (...args: unknown[]) => void;
    this.events.on(event, untyped);
    return () => this.events.off(event, untyped);
  }

  /** A listener's failure must not stop the others or the lock bookkeeping. */
  private emit(event: string, ...args: unknown[]): void {
    for (const listener of this.events.listeners(event)) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (error) {
        this.logger.error('Lock event listener failed', { event, error: describeError(error) });
      }
    }
  }
}
