import * as amqp from 'amqplib';
import { amqpReplyCode } from './lock-error-text';

/** The broker's answer when another connection holds an exclusive queue. */
const RESOURCE_LOCKED = 405;

export type DeclareOutcome =
  | { kind: 'acquired'; channel: amqp.Channel }
  | { kind: 'busy' }
  | { kind: 'failed'; error: unknown };

/**
 * Takes a lock: a new channel, then an exclusive declare of the lock queue. Two round trips and
 * nothing more, as the scheduler tries this for every candidate environment on every poll.
 *
 * The channel needs its 'error' listener before anything can fail on it: without one amqplib
 * turns the broker's 405 into an error on the whole connection, dropping every other lock.
 */
export async function declareLock(
  model: amqp.ChannelModel,
  queueName: string,
): Promise<DeclareOutcome> {
  let channel: amqp.Channel;
  try {
    channel = await model.createChannel();
  } catch (error) {
    return { kind: 'failed', error };
  }
  channel.on('error', () => undefined);

  try {
    // Not durable and not auto-delete: it lives exactly as long as this connection, or until we
    // delete it. Auto-delete would change nothing, as nobody ever consumes from it.
    await channel.assertQueue(queueName, { exclusive: true, durable: false, autoDelete: false });
    return { kind: 'acquired', channel };
  } catch (error) {
    // 405 closed the channel broker-side and left the connection usable.
    if (amqpReplyCode(error) === RESOURCE_LOCKED) return { kind: 'busy' };
    void closeChannelQuietly(channel);
    return { kind: 'failed', error };
  }
}

/** Deletes a lock queue from a channel of its own, which is closed afterwards. */
export async function deleteOnFreshChannel(
  model: amqp.ChannelModel,
  queueName: string,
): Promise<void> {
  const channel = await model.createChannel();
  channel.on('error', () => undefined);
  try {
    await channel.deleteQueue(queueName);
  } finally {
    await closeChannelQuietly(channel);
  }
}

/** Closing a channel can only fail when it is already gone, which is what we want anyway. */
export async function closeChannelQuietly(channel: amqp.Channel): Promise<void> {
  try {
    await channel.close();
  } catch {
    // Already closed by the broker or with its connection.
  }
}

/** Rejects when `promise` has not settled after `timeoutMs`; the timer never outlives it. */
export async function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
