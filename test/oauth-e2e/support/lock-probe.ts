import * as amqp from 'amqplib';

export type ProbeResult = 'busy' | 'free' | 'error';

export interface ProbeSample {
  at: number;
  result: ProbeResult;
  detail?: string;
}

/**
 * A rival replica made of one raw amqplib connection: every `everyMs` it tries to declare the
 * environment's lock queue exclusively, as the monitor does. `busy` (405 RESOURCE_LOCKED) means
 * someone holds the lock; `free` means the probe got it, and it gives it back at once so that it
 * never keeps the monitor out.
 */
export class LockProbe {
  readonly samples: ProbeSample[] = [];
  private timer?: NodeJS.Timeout;
  private stopped = false;

  private constructor(
    private readonly connection: amqp.ChannelModel,
    readonly queueName: string,
    private readonly everyMs: number,
  ) {}

  static async start(
    url: string,
    credentials: { username: string; password: string },
    queueName: string,
    everyMs = 1000,
  ): Promise<LockProbe> {
    const connection = await amqp.connect(url, {
      credentials: amqp.credentials.plain(credentials.username, credentials.password),
      noDelay: true,
    });
    connection.on('error', () => undefined);
    const probe = new LockProbe(connection, queueName, everyMs);
    await probe.tick();
    return probe;
  }

  /** One attempt now. */
  async tryOnce(): Promise<ProbeResult> {
    const channel = await this.connection.createChannel();
    // A refused declare closes only this channel when it has an error listener.
    channel.on('error', () => undefined);
    try {
      await channel.assertQueue(this.queueName, { exclusive: true, autoDelete: true });
      await channel.deleteQueue(this.queueName);
      await channel.close();
      return 'free';
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (/RESOURCE_LOCKED|405/.test(text)) return 'busy';
      throw error;
    }
  }

  results(from = 0, to = Number.MAX_SAFE_INTEGER): ProbeSample[] {
    return this.samples.filter((s) => s.at >= from && s.at <= to);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.connection.close().catch(() => undefined);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const at = Date.now();
    try {
      this.samples.push({ at, result: await this.tryOnce() });
    } catch (error) {
      this.samples.push({
        at,
        result: 'error',
        detail: error instanceof Error ? error.message : String(error),
      });
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.everyMs);
  }
}
