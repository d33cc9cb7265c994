import * as amqp from 'amqplib';

const RESOURCE_LOCKED = 405;
const NOT_FOUND = 404;

/**
 * Looks at a lock queue from outside without ever taking it: a passive declare on a fresh
 * channel answers 405 while another connection holds the queue and 404 once it is gone (either
 * closes the channel). Only used while no replica would take the lock anyway.
 */
export class LockProbe {
  private constructor(private readonly model: amqp.ChannelModel) {}

  static async open(url: string): Promise<LockProbe> {
    const model = await amqp.connect(url, { noDelay: true });
    model.on('error', () => undefined);
    return new LockProbe(model);
  }

  async isHeld(environment: string): Promise<boolean> {
    const channel = await this.model.createChannel();
    channel.on('error', () => undefined);
    try {
      await channel.checkQueue(`dorc.lock.env:${environment}`);
      await channel.close();
      return true; // Declared by someone non-exclusively: nobody's lock, but present.
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code === RESOURCE_LOCKED) return true;
      if (code === NOT_FOUND) return false;
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.model.close().catch(() => undefined);
  }
}
