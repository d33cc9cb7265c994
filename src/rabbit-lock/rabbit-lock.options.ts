import { LockCredentialsProvider } from './lock-credentials';
import { LockLogger, SILENT_LOCK_LOGGER } from './lock-logger';

/** TLS to the broker. Certificate verification is always on. */
export interface LockTlsOptions {
  /** Extra trusted CA bundle (PEM). */
  ca?: string | Buffer;
  /** Name expected in the broker's certificate; defaults to `hostname`. */
  servername?: string;
  /** Client certificate and key (PEM), for brokers that ask for one. */
  cert?: string | Buffer;
  key?: string | Buffer;
}

/** How `RabbitLockService` reaches the broker. */
export interface RabbitLockOptions {
  hostname: string;
  /** Default 5672 (5671 with `tls`). */
  port?: number;
  /** Default `/`. */
  vhost?: string;
  /**
   * AMQP heartbeat of the lock connection, in seconds (at least 1). The silence guard declares
   * every lock lost after about one heartbeat without a byte from the broker.
   */
  heartbeatSeconds: number;
  /**
   * The monitor id. Shown as `connection_name` in the broker, so `rabbitmqctl` tells who holds a
   * lock.
   */
  connectionName: string;
  credentials: LockCredentialsProvider;
  /** Present: connect with `amqps`. */
  tls?: LockTlsOptions;
  /** Default: no logging. */
  logger?: LockLogger;
  /** First reconnect delay in ms; doubles per failure, with jitter. Default 500. */
  reconnectMinMs?: number;
  /** Longest reconnect delay in ms. Default 30000. */
  reconnectMaxMs?: number;
  /** Limit for TCP connect plus AMQP handshake, in ms. Default 10000. */
  connectTimeoutMs?: number;
  /** Limit for each step of shutting down (releases, connection close), in ms. Default 5000. */
  closeTimeoutMs?: number;
}

export type ResolvedLockOptions = Required<Omit<RabbitLockOptions, 'tls'>> &
  Pick<RabbitLockOptions, 'tls'>;

export function resolveLockOptions(options: RabbitLockOptions): ResolvedLockOptions {
  if (!(options.heartbeatSeconds >= 1)) {
    // The silence guard needs a heartbeat: without one a silent partition goes unnoticed.
    throw new Error('heartbeatSeconds must be at least 1 for the lock connection');
  }
  return {
    ...options,
    port: options.port ?? (options.tls ? 5671 : 5672),
    vhost: options.vhost ?? '/',
    logger: options.logger ?? SILENT_LOCK_LOGGER,
    reconnectMinMs: options.reconnectMinMs ?? 500,
    reconnectMaxMs: options.reconnectMaxMs ?? 30_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    closeTimeoutMs: options.closeTimeoutMs ?? 5_000,
  };
}
