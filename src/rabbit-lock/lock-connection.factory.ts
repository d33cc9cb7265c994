import * as amqp from 'amqplib';
import { Socket } from 'node:net';
import { saslPlain } from './lock-credentials';
import { ResolvedLockOptions } from './rabbit-lock.options';

/** A freshly opened lock connection and what the silence guard needs from it. */
export interface OpenedLockConnection {
  model: amqp.ChannelModel;
  /** The TCP (or TLS) socket under it: its `bytesRead` is how silence is detected. */
  socket: Socket;
  /** Negotiated heartbeat in seconds (the broker may lower ours). */
  heartbeatSeconds: number;
}

/**
 * Opens one raw amqplib connection for locks: its own TCP connection, Nagle off (a failed acquire
 * takes ~1 ms instead of ~44 ms), the monitor id as `connection_name`, and the credentials read
 * now, so each reconnect logs in with the current password or token.
 *
 * @param onPassword receives the password before connecting, so errors can be scrubbed of it.
 */
export async function openLockConnection(
  options: ResolvedLockOptions,
  onPassword: (password: string) => void,
): Promise<OpenedLockConnection> {
  const password = await options.credentials.password();
  onPassword(password);
  const model = await amqp.connect(connectUrl(options), {
    ...tlsSocketOptions(options),
    noDelay: true,
    timeout: options.connectTimeoutMs,
    credentials: saslPlain(options.credentials.username(), password),
    clientProperties: { connection_name: options.connectionName },
  });
  return inspectConnection(model, options.heartbeatSeconds);
}

function connectUrl(options: ResolvedLockOptions): amqp.Options.Connect {
  return {
    protocol: options.tls ? 'amqps' : 'amqp',
    hostname: options.hostname,
    port: options.port,
    // amqplib unescapes the vhost of an object URL: escape it so a '%' in a name survives.
    vhost: encodeURIComponent(options.vhost),
    heartbeat: options.heartbeatSeconds,
  };
}

function tlsSocketOptions(options: ResolvedLockOptions): Record<string, unknown> {
  const tls = options.tls;
  if (!tls) return {};
  return {
    rejectUnauthorized: true,
    servername: tls.servername ?? options.hostname,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
  };
}

/**
 * amqplib keeps the socket at `connection.stream` and the negotiated heartbeat at
 * `connection.heartbeat`; neither is in its typings. Fail loudly if a later amqplib moves them:
 * without the socket the silence guard cannot work.
 */
async function inspectConnection(
  model: amqp.ChannelModel,
  requestedHeartbeat: number,
): Promise<OpenedLockConnection> {
  const internals = model.connection as unknown as { stream?: unknown; heartbeat?: unknown };
  if (!(internals.stream instanceof Socket)) {
    await model.close().catch(() => undefined);
    throw new Error('amqplib connection has no socket at connection.stream; cannot guard locks');
  }
  const negotiated = typeof internals.heartbeat === 'number' ? internals.heartbeat : 0;
  return {
    model,
    socket: internals.stream,
    heartbeatSeconds: negotiated > 0 ? negotiated : requestedHeartbeat,
  };
}
