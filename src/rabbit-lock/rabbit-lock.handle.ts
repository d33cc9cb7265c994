import * as amqp from 'amqplib';
import { LockHandle, LockLostError } from './distributed-lock.service';

type HandleState = 'held' | 'released' | 'lost';

/** A lock held as an exclusive queue on the lock connection, declared through `channel`. */
export class RabbitLockHandle implements LockHandle {
  readonly acquiredAt = new Date();
  private readonly controller = new AbortController();
  private state: HandleState = 'held';
  private releasing?: Promise<void>;

  constructor(
    readonly environment: string,
    readonly queueName: string,
    readonly channel: amqp.Channel,
    private readonly giveBack: (handle: RabbitLockHandle) => Promise<void>,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get isHeld(): boolean {
    return this.state === 'held';
  }

  /** Safe to call twice and after loss; every call waits for the same release. */
  release(): Promise<void> {
    if (this.state === 'lost') return Promise.resolve();
    if (!this.releasing) {
      this.state = 'released';
      this.releasing = this.giveBack(this);
    }
    return this.releasing;
  }

  /** Aborts the signal, once, unless the lock was already given back. Returns whether it did. */
  markLost(error: LockLostError): boolean {
    if (this.state !== 'held') return false;
    this.state = 'lost';
    this.controller.abort(error);
    return true;
  }
}
