/**
 * The appsettings.json of one test replica, and where its RabbitMQ is. Used by MonitorCluster.
 */
import { createServer, AddressInfo } from 'node:net';
import type { DatabaseSettings } from '../../src/config/settings';

/** A broker to lock against, with plain (user name and password) authentication. */
export interface RabbitTarget {
  host: string;
  port: number;
  userName: string;
  password: string;
  virtualHost: string;
}

export interface ReplicaConfigInput {
  monitorId: string;
  httpPort: number;
  scriptRoot: string;
  database: DatabaseSettings;
  rabbit: RabbitTarget;
  heartbeatSeconds: number;
  pollMs: number;
  requestLeaseSeconds: number;
  shutdownGraceSeconds: number;
  highAvailability: boolean;
  /** Deep-merged over the section `AppSettings` last. */
  extra?: Record<string, unknown>;
}

export const DEFAULT_RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** The shared broker: RABBITMQ_URL when set, else 127.0.0.1:5672 with guest/guest. */
export function rabbitTargetFromEnv(
  url = process.env.RABBITMQ_URL || DEFAULT_RABBITMQ_URL,
): RabbitTarget {
  const parsed = new URL(url);
  const vhost = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 5672,
    userName: decodeURIComponent(parsed.username) || 'guest',
    password: decodeURIComponent(parsed.password) || 'guest',
    virtualHost: vhost || '/',
  };
}

/** The whole settings document for one replica (top-level `AppSettings`). */
export function replicaAppSettings(input: ReplicaConfigInput): Record<string, unknown> {
  const base = {
    MonitorId: input.monitorId,
    RequestProcessingIterationDelayMs: input.pollMs,
    ScriptRoot: input.scriptRoot,
    ShutdownGraceSeconds: input.shutdownGraceSeconds,
    Http: { Port: input.httpPort, Host: '127.0.0.1' },
    Database: {
      Type: input.database.type,
      ConnectionString: input.database.connectionString,
      // The cluster migrates once before any replica starts.
      RunMigrations: false,
    },
    HighAvailability: {
      Enabled: input.highAvailability,
      HeartbeatSeconds: input.heartbeatSeconds,
      RequestLeaseSeconds: input.requestLeaseSeconds,
      RabbitMQ: {
        HostName: input.rabbit.host,
        Port: input.rabbit.port,
        VirtualHost: input.rabbit.virtualHost,
        AuthMode: 'Plain',
        UserName: input.rabbit.userName,
        Password: input.rabbit.password,
      },
    },
  };
  return { AppSettings: deepMerge(base, input.extra ?? {}) };
}

/**
 * The environment of a replica: ours, without any `AppSettings__...` override or config pointer
 * that would silently change the settings file, plus JSON logs at debug level.
 */
export function replicaEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const upper = key.toUpperCase();
    if (upper.startsWith('APPSETTINGS__') || upper.startsWith('DORC_MONITOR_CONFIG')) continue;
    env[key] = value;
  }
  return { ...env, LOG_FORMAT: 'json', LOG_LEVEL: 'debug', ...extra };
}

export function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** A port free at the time of asking on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
