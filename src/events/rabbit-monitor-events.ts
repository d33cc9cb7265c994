import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import type { Channel, ConsumeMessage, Options } from 'amqplib';
import { AppLogger } from '../logging/app-logger';
import { MonitorEvents } from './monitor-events';

/**
 * A direct exchange, not a topic one: RabbitMQ's OAuth 2.0 backend applies topic authorisation to
 * topic exchanges, which the usual `rabbitmq.read:*\/*` scopes do not grant, so binding and
 * publishing there is refused (403) and the connection drops.
 */
export const EVENTS_EXCHANGE = 'dorc.monitor.events';
export const EVENTS_EXCHANGE_TYPE = 'direct';
/** The subscription has a channel of its own, so a refused bind never stops publishing. */
export const EVENTS_CHANNEL = 'dorc-monitor-events';
/** Routing keys: `lock.acquired|released|lost` and `request.<Status>`; the body says which one. */
export const LOCK_RELEASED_KEY = 'lock.released';

/** Unsent events are dropped after this long instead of piling up in memory. */
const PUBLISH_TIMEOUT_MS = 5000;

interface EventBody {
  environment?: string;
  monitorId?: string;
}

/**
 * Publishes request and lock events to the `dorc.monitor.events` exchange over the messaging
 * connection (never the lock connection), and listens for other replicas' lock releases.
 * Events are hints: losing one only delays a pickup until the next poll.
 */
export class RabbitMonitorEvents extends MonitorEvents {
  private readonly logger = new AppLogger('Events');
  private readonly listeners: Array<(environment: string) => void> = [];

  constructor(
    private readonly amqp: AmqpConnection,
    private readonly monitorId: string,
  ) {
    super();
  }

  /**
   * Subscribes on every (re)connect of the events channel. A failure there closes only that
   * channel; it is retried when the connection is next re-established.
   */
  subscribe(): void {
    const channel = this.amqp.managedChannels[EVENTS_CHANNEL];
    if (!channel) return this.subscriptionFailed(new Error(`no channel ${EVENTS_CHANNEL}`));
    channel
      .addSetup((raw: Channel) => this.setUpSubscription(raw))
      .catch((error: unknown) => this.subscriptionFailed(error));
  }

  requestStatus(requestId: number, status: string, environment: string): void {
    this.publish(`request.${status}`, { requestId, status, environment });
  }

  lock(environment: string, event: 'acquired' | 'released' | 'lost'): void {
    this.publish(`lock.${event}`, { environment, event });
  }

  onLockReleased(listener: (environment: string) => void): void {
    this.listeners.push(listener);
  }

  private async setUpSubscription(channel: Channel): Promise<void> {
    // Without a listener amqplib turns a channel error into the loss of the whole connection.
    channel.on('error', (error: unknown) => this.subscriptionFailed(error));
    await channel.assertExchange(EVENTS_EXCHANGE, EVENTS_EXCHANGE_TYPE, { durable: false });
    const { queue } = await channel.assertQueue('', {
      exclusive: true,
      autoDelete: true,
      durable: false,
    });
    await channel.bindQueue(queue, EVENTS_EXCHANGE, LOCK_RELEASED_KEY);
    await channel.consume(queue, (message) => this.onMessage(message), { noAck: true });
    this.logger.debug('Listening for lock release events', { exchange: EVENTS_EXCHANGE });
  }

  private onMessage(message: ConsumeMessage | null): void {
    if (!message) return;
    let body: EventBody;
    try {
      body = JSON.parse(message.content.toString('utf8')) as EventBody;
    } catch {
      return; // Not one of ours; events are hints, nothing to answer.
    }
    if (!body.environment || body.monitorId === this.monitorId) return;
    for (const listener of this.listeners) listener(body.environment);
  }

  private subscriptionFailed(error: unknown): void {
    this.logger.warn('Lock release events unavailable; environments are picked up by polling', {
      error: error instanceof Error ? error.message : String(error),
    });
  }

  private publish(routingKey: string, body: Record<string, unknown>): void {
    if (!this.amqp.managedConnection?.isConnected()) {
      this.logger.debug('Event not sent: the messaging connection is down', { routingKey });
      return;
    }
    const message = { ...body, monitorId: this.monitorId, at: new Date().toISOString() };
    const options: Options.Publish & { timeout: number } = { timeout: PUBLISH_TIMEOUT_MS };
    this.amqp.publish(EVENTS_EXCHANGE, routingKey, message, options).catch((error: unknown) => {
      this.logger.debug('Could not publish event', {
        routingKey,
        error: error instanceof Error ? error.message : String(error),
      });
    });
  }
}
