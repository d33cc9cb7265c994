import * as amqp from 'amqplib';
import { EVENTS_EXCHANGE, EVENTS_EXCHANGE_TYPE } from '../../../src/events/rabbit-monitor-events';

export interface TappedEvent {
  at: number;
  routingKey: string;
  body: Record<string, unknown>;
}

/** An outside listener on the monitors' events exchange, as an operator's tool would be. */
export class EventTap {
  readonly events: TappedEvent[] = [];

  private constructor(private readonly connection: amqp.ChannelModel) {}

  static async start(
    url: string,
    credentials: { username: string; password: string },
    bindings = ['lock.#', 'request.#'],
  ): Promise<EventTap> {
    const connection = await amqp.connect(url, {
      credentials: amqp.credentials.plain(credentials.username, credentials.password),
    });
    connection.on('error', () => undefined);
    const tap = new EventTap(connection);
    const channel = await connection.createChannel();
    await channel.assertExchange(EVENTS_EXCHANGE, EVENTS_EXCHANGE_TYPE, { durable: false });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    for (const key of bindings) await channel.bindQueue(queue, EVENTS_EXCHANGE, key);
    await channel.consume(queue, (m) => m && tap.record(m), { noAck: true });
    return tap;
  }

  /** The first event with this exact routing key (see `lockRoutingKey`, `requestRoutingKey`). */
  find(routingKey: string): TappedEvent | undefined {
    return this.events.find((e) => e.routingKey === routingKey);
  }

  async stop(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }

  private record(message: amqp.ConsumeMessage): void {
    const body = JSON.parse(message.content.toString('utf8')) as Record<string, unknown>;
    this.events.push({ at: Date.now(), routingKey: message.fields.routingKey, body });
  }
}
