import * as amqp from 'amqplib';
import { LockContender } from './lock-contender';

const RESOURCE_LOCKED = 405;

/**
 * The broker's floor: an exclusive `queue.declare` on a channel that is already open (one round
 * trip), released with `queue.delete` on the same channel. Nagle off, like the product. A 405
 * closes the channel; `prepare` opens a new one outside the timed part.
 *
 * With `freshChannel` it opens the channel inside the timed acquire and closes it on release:
 * the two round trips the product's design needs, without any of the product's code.
 */
export class BareDeclareContender implements LockContender {
  readonly name: string;
  private readonly channels = new Map<string, amqp.Channel>();

  private constructor(
    private readonly model: amqp.ChannelModel,
    private readonly freshChannel: boolean,
  ) {
    this.name = freshChannel ? 'bare channel.open + declare' : 'bare queue.declare';
  }

  static async open(url: string, freshChannel = false): Promise<BareDeclareContender> {
    const model = await amqp.connect(url, { noDelay: true });
    model.on('error', () => undefined);
    return new BareDeclareContender(model, freshChannel);
  }

  async prepare(key: string): Promise<void> {
    if (!this.freshChannel) await this.openChannel(key);
  }

  private async openChannel(key: string): Promise<void> {
    if (this.channels.has(key)) return;
    const channel = await this.model.createChannel();
    channel.on('error', () => undefined);
    channel.once('close', () => {
      if (this.channels.get(key) === channel) this.channels.delete(key);
    });
    this.channels.set(key, channel);
  }

  async acquire(key: string): Promise<boolean> {
    if (this.freshChannel) await this.openChannel(key);
    const channel = this.channels.get(key);
    if (!channel) throw new Error(`no open channel for ${key}: call prepare first`);
    try {
      await channel.assertQueue(queueName(key), { exclusive: true, durable: false });
      return true;
    } catch (error) {
      this.channels.delete(key);
      if ((error as { code?: number }).code === RESOURCE_LOCKED) return false;
      throw error;
    }
  }

  async release(key: string): Promise<void> {
    const channel = this.channels.get(key);
    await channel?.deleteQueue(queueName(key));
    if (!this.freshChannel || !channel) return;
    this.channels.delete(key);
    await channel.close();
  }

  async close(): Promise<void> {
    await this.model.close().catch(() => undefined);
  }
}

function queueName(key: string): string {
  return `dorc.lock.env:${key}`;
}
