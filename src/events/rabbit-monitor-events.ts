import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import type { Channel, ConsumeMessage, Options } from 'amqplib';
import { AppLogger } from '../logging/app-logger';
import { isAccessRefused } from '../rabbit-lock/lock-error-text';
import { LOCK_QUEUE_PREFIX, lockQueueName } from '../rabbit-lock/lock-queue-name';
import { MonitorEvents } from './monitor-events';

/**
 * A topic exchange, so a listener can pick what it wants (`lock.#`, `lock.Production.*`,
 * `request.*.Failed`). RabbitMQ's OAuth 2.0 backend checks topic permissions on it: a token needs
 * read and write scopes with a routing-key part (`rabbitmq.write:*\/dorc.events/*`); the
 * two-part `rabbitmq.write:*\/*` is refused (403). See docs/rabbitmq-oauth.md.
 */
export const EVENTS_EXCHANGE = 'dorc.events';
export const EVENTS_EXCHANGE_TYPE = 'topic';
/** The subscription has a channel of its own, so a refused bind never stops publishing. */
export const EVENTS_CHANNEL = 'dorc-monitor-events';
/**
 * The binding for other replicas' releases. `#` because an environment name may hold dots and so
 * span several words; the body's `event` and `environment` are what count.
 */
export const LOCK_RELEASED_BINDING = 'lock.#.released';

export type LockEvent = 'acquired' | 'released' | 'lost';

/**
 * The environment's part of a lock routing key: the name as it is, or the stable mapped form of
 * its lock queue (`{readable}~{sha256}`) when the name is not printable or too long. Either way
 * `lock.{part}.released` fits the 255-byte limit of a routing key.
 */
export function environmentRoutingPart(environment: string): string {
  return lockQueueName(environment).slice(LOCK_QUEUE_PREFIX.length);
}

/** `lock.{environment}.{event}`, e.g. `lock.Production.released`. */
export function lockRoutingKey(environment: string, event: LockEvent): string {
  return `lock.${environmentRoutingPart(environment)}.${event}`;
}

/** `request.{id}.{status}`, e.g. `request.42.Completed`. */
export function requestRoutingKey(requestId: number, status: string): string {
  return `request.${requestId}.${status}`;
}

/** Unsent events are dropped after this long instead of piling up in memory. */
const PUBLISH_TIMEOUT_MS = 5000;
/**
 * After the broker refuses an event (a token without topic scopes), publishing pauses this long
 * before one more try, so a misconfigured scope costs one warning and one reconnect per pause.
 */
export const REFUSED_PUBLISH_PAUSE_MS = 5 * 60_000;
/** After any other error on the publishing channel, the pause before it is reopened. */
const BROKEN_CHANNEL_PAUSE_MS = 5000;

interface EventBody {
  environment?: string;
  event?: string;
  monitorId?: string;
}

/**
 * Publishes request and lock events to the `dorc.events` exchange over the messaging
 * connection (never the lock connection), and listens for other replicas' lock releases.
 * Events are hints: losing one only delays a pickup until the next poll.
 */
export class RabbitMonitorEvents extends MonitorEvents {
  private readonly logger = new AppLogger('Events');
  private readonly listeners: Array<(environment: string) => void> = [];
  /** Events are not published before this time (epoch ms) after a channel error. */
  private publishPausedUntil = 0;
  /** The publishing channel was closed by the broker; it comes back only with a reconnect. */
  private publishChannelClosed = false;

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
    // Without a listener a refused publish (403) would take the whole connection down.
    this.amqp.managedChannel
      .addSetup((raw: Channel) => {
        raw.on('error', (error: unknown) => this.publishChannelFailed(error));
      })
      .catch((error: unknown) => this.publishChannelFailed(error));
    const channel = this.amqp.managedChannels[EVENTS_CHANNEL];
    if (!channel) return this.subscriptionFailed(new Error(`no channel ${EVENTS_CHANNEL}`));
    channel
      .addSetup((raw: Channel) => this.setUpSubscription(raw))
      .catch((error: unknown) => this.subscriptionFailed(error));
  }

  requestStatus(requestId: number, status: string, environment: string): void {
    this.publish(requestRoutingKey(requestId, status), { requestId, status, environment });
  }

  lock(environment: string, event: LockEvent): void {
    this.publish(lockRoutingKey(environment, event), { environment, event });
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
    await channel.bindQueue(queue, EVENTS_EXCHANGE, LOCK_RELEASED_BINDING);
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
    if (body.event !== 'released' || !body.environment) return;
    if (body.monitorId === this.monitorId) return;
    for (const listener of this.listeners) listener(body.environment);
  }

  private subscriptionFailed(error: unknown): void {
    this.logger.warn('Lock release events unavailable; environments are picked up by polling', {
      exchange: EVENTS_EXCHANGE,
      error: errorText(error),
      hint: isAccessRefused(error) ? TOPIC_SCOPE_HINT : undefined,
    });
  }

  private publishChannelFailed(error: unknown): void {
    this.publishChannelClosed = true;
    if (!isAccessRefused(error)) {
      this.publishPausedUntil = Date.now() + BROKEN_CHANNEL_PAUSE_MS;
      this.logger.debug('The events channel closed', { error: errorText(error) });
      return;
    }
    this.publishPausedUntil = Date.now() + REFUSED_PUBLISH_PAUSE_MS;
    this.logger.warn('The broker refused an event; publishing events is paused', {
      exchange: EVENTS_EXCHANGE,
      retryInSeconds: REFUSED_PUBLISH_PAUSE_MS / 1000,
      error: errorText(error),
      hint: TOPIC_SCOPE_HINT,
    });
  }

  private publish(routingKey: string, body: Record<string, unknown>): void {
    if (!this.amqp.managedConnection?.isConnected()) {
      this.logger.debug('Event not sent: the messaging connection is down', { routingKey });
      return;
    }
    if (Date.now() < this.publishPausedUntil) {
      this.logger.debug('Event not sent: publishing is paused', { routingKey });
      return;
    }
    if (this.publishChannelClosed) {
      // The pause is over: reopen the channels (the subscription is retried too) and go on.
      this.publishChannelClosed = false;
      this.logger.debug('Reconnecting the messaging connection to publish events again');
      this.amqp.managedConnection.reconnect();
      return;
    }
    const message = { ...body, monitorId: this.monitorId, at: new Date().toISOString() };
    const options: Options.Publish & { timeout: number } = { timeout: PUBLISH_TIMEOUT_MS };
    this.amqp.publish(EVENTS_EXCHANGE, routingKey, message, options).catch((error: unknown) => {
      this.logger.debug('Could not publish event', { routingKey, error: errorText(error) });
    });
  }
}

const TOPIC_SCOPE_HINT =
  'with OAuth the token needs topic scopes such as rabbitmq.read:*/dorc.events/* and ' +
  'rabbitmq.write:*/dorc.events/* (see docs/rabbitmq-oauth.md)';

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
