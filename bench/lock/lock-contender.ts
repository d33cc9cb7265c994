/**
 * One way of taking a per-environment lock, as the lock bench drives it. Every implementation
 * keeps one connection, as a monitor replica would, and holds any number of keys on it.
 */
export interface LockContender {
  readonly name: string;
  /** Untimed set-up before each timed call (e.g. reopening a channel the broker closed). */
  prepare(key: string): Promise<void>;
  /** One attempt, without waiting: true when taken, false when someone else holds it. */
  acquire(key: string): Promise<boolean>;
  release(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens a fresh contender of one kind (a second one plays the other replica). */
export type ContenderFactory = () => Promise<LockContender>;
