import { AmqpConnection, RabbitMQModule } from '@golevelup/nestjs-rabbitmq';
import {
  DynamicModule,
  Inject,
  Injectable,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { readFileSync } from 'node:fs';
import type { Settings } from '../config/settings';
import { AppLogger } from '../logging/app-logger';
import { raceSecretUpdate } from '../rabbit-lock/secret-update';
import { MonitorRuntime } from '../runtime/monitor-runtime';
import {
  EVENTS_CHANNEL,
  EVENTS_EXCHANGE,
  EVENTS_EXCHANGE_TYPE,
  RabbitMonitorEvents,
} from './rabbit-monitor-events';

/** How long a token renewal on the messaging connection may take before we stop waiting. */
const UPDATE_SECRET_TIMEOUT_MS = 5000;

/** Connects the runtime's events to the messaging connection once Nest has built it. */
@Injectable()
class EventsBridge implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new AppLogger('Events');
  private stopRenewing?: () => void;

  constructor(
    @Inject(MonitorRuntime) private readonly runtime: MonitorRuntime,
    private readonly amqp: AmqpConnection,
  ) {}

  onApplicationBootstrap(): void {
    const events = new RabbitMonitorEvents(this.amqp, this.runtime.settings.monitorId);
    this.runtime.events.attach(events);
    events.subscribe();
    this.stopRenewing = this.runtime.tokenClient?.onToken((token) => this.renewSecret(token));
  }

  onApplicationShutdown(): void {
    this.stopRenewing?.();
  }

  /**
   * The broker keeps an expired token's connection open but refuses its publishes, so each new
   * token goes onto the live messaging connection too. If that fails the broker closes the
   * connection, and the connection manager reconnects with a fresh token: no lock is involved.
   */
  private async renewSecret(token: string): Promise<void> {
    const connection = this.amqp.managedConnection?.connection;
    if (!connection) return;
    const outcome = await raceSecretUpdate(connection, token, UPDATE_SECRET_TIMEOUT_MS);
    if (outcome === 'ok') return;
    this.logger.warn('Could not renew the token on the messaging connection; it will reconnect', {
      outcome,
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
  const heartbeatSeconds = settings.highAvailability.heartbeatSeconds;
  const rabbit = RabbitMQModule.forRoot({
    // No fixed URI: `findServers` runs before every (re)connect and supplies a fresh token.
    uri: [],
    exchanges: [{ name: EVENTS_EXCHANGE, type: EVENTS_EXCHANGE_TYPE, options: { durable: false } }],
    channels: { [EVENTS_CHANNEL]: { prefetchCount: 10 } },
    connectionInitOptions: { wait: false },
    connectionManagerOptions: {
      findServers: () => connectOptions(settings, runtime),
      heartbeatIntervalInSeconds: heartbeatSeconds,
      // Not the heartbeat (60 s by default): events should come back soon after the broker.
      reconnectTimeInSeconds: Math.min(10, heartbeatSeconds),
      connectionOptions: {
        clientProperties: { connection_name: `${settings.monitorId}-events` },
        ...tlsOptions(settings),
      },
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

/** The same certificate checks as the lock connection. */
function tlsOptions(settings: Settings) {
  const ssl = settings.highAvailability.rabbitMq.ssl;
  if (!ssl.enabled) return {};
  return {
    servername: ssl.serverName ?? settings.highAvailability.rabbitMq.hostName,
    ca: ssl.caFile ? readFileSync(ssl.caFile) : undefined,
    cert: ssl.certFile ? readFileSync(ssl.certFile) : undefined,
    key: ssl.keyFile ? readFileSync(ssl.keyFile) : undefined,
  };
}
