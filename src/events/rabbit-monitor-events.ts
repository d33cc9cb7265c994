import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { AppLogger } from '../logging/app-logger';
import { MonitorEvents } from './monitor-events';

export const EVENTS_EXCHANGE = 'dorc.events';

/**
 * Publishes request and lock events to the `dorc.events` topic exchange over the messaging
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

  async subscribe(): Promise<void> {
    await this.amqp.createSubscriber<{ environment?: string; monitorId?: string }>(
      async (message) => {
        if (!message?.environment || message.monitorId === this.monitorId) return;
        for (const listener of this.listeners) listener(message.environment);
      },
      {
        exchange: EVENTS_EXCHANGE,
        routingKey: 'lock.*.released',
        queueOptions: { exclusive: true, autoDelete: true, durable: false },
      },
      'lockReleased',
    );
  }

  requestStatus(requestId: number, status: string, environment: string): void {
    this.publish(`request.${requestId}.${status}`, { requestId, status, environment });
  }

  lock(environment: string, event: 'acquired' | 'released' | 'lost'): void {
    this.publish(`lock.${routingWord(environment)}.${event}`, { environment, event });
  }

  onLockReleased(listener: (environment: string) => void): void {
    this.listeners.push(listener);
  }

  private publish(routingKey: string, body: Record<string, unknown>): void {
    const message = { ...body, monitorId: this.monitorId, at: new Date().toISOString() };
    this.amqp.publish(EVENTS_EXCHANGE, routingKey, message).catch((error: unknown) => {
      this.logger.debug('Could not publish event', {
        routingKey,
        error: error instanceof Error ? error.message : String(error),
      });
    });
  }
}

/** Topic words are dot-separated: an environment's dots would split it into several words. */
function routingWord(environment: string): string {
  return environment.replace(/[.#*]/g, '_');
}
