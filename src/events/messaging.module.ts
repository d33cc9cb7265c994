import { AmqpConnection, RabbitMQModule } from '@golevelup/nestjs-rabbitmq';
import { DynamicModule, Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { Settings } from '../config/settings';
import { AppLogger } from '../logging/app-logger';
import { MonitorRuntime } from '../runtime/monitor-runtime';
import { EVENTS_EXCHANGE, RabbitMonitorEvents } from './rabbit-monitor-events';

/** Connects the runtime's events to the messaging connection once Nest has built it. */
@Injectable()
class EventsBridge implements OnApplicationBootstrap {
  private readonly logger = new AppLogger('Events');

  constructor(
    @Inject(MonitorRuntime) private readonly runtime: MonitorRuntime,
    private readonly amqp: AmqpConnection,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const events = new RabbitMonitorEvents(this.amqp, this.runtime.settings.monitorId);
    this.runtime.events.attach(events);
    events.subscribe().catch((error: unknown) => {
      this.logger.warn('Lock release events unavailable; environments are picked up by polling', {
        error: error instanceof Error ? error.message : String(error),
      });
    });
  }
}

@Module({})
class MessagingModule {}

/**
 * The messaging connection (@golevelup/nestjs-rabbitmq) for events, present only with HA. It is
 * separate from the lock connection: its automatic reconnects must never touch a lock. It does
 * not wait for the broker, so a broker outage never stops the monitor from starting.
 */
export function messagingModules(runtime: MonitorRuntime): DynamicModule[] {
  const settings = runtime.settings;
  if (!settings.highAvailability.enabled) return [];
  const rabbit = RabbitMQModule.forRoot({
    uri: [],
    exchanges: [{ name: EVENTS_EXCHANGE, type: 'topic', options: { durable: false } }],
    connectionInitOptions: { wait: false },
    connectionManagerOptions: {
      findServers: () => connectOptions(settings, runtime),
      heartbeatIntervalInSeconds: settings.highAvailability.heartbeatSeconds,
      connectionOptions: { clientProperties: { connection_name: `${settings.monitorId}-events` } },
    },
    registerHandlers: false,
    enableControllerDiscovery: false,
  });
  return [
    {
      module: MessagingModule,
      imports: [rabbit],
      providers: [{ provide: MonitorRuntime, useValue: runtime }, EventsBridge],
    },
  ];
}

/** Resolved at every (re)connect, so an OAuth connection always logs in with a fresh token. */
async function connectOptions(settings: Settings, runtime: MonitorRuntime) {
  const rabbit = settings.highAvailability.rabbitMq;
  const oauth = runtime.tokenClient;
  return {
    protocol: rabbit.ssl.enabled ? 'amqps' : 'amqp',
    hostname: rabbit.hostName,
    port: rabbit.port,
    vhost: rabbit.virtualHost,
    username: oauth ? '' : (rabbit.userName ?? ''),
    password: oauth ? await oauth.getToken() : (rabbit.password ?? ''),
    heartbeat: settings.highAvailability.heartbeatSeconds,
  };
}
