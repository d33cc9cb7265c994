import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { plainCredentials } from '../../src/rabbit-lock/lock-credentials';
import { LockLogger } from '../../src/rabbit-lock/lock-logger';
import { RabbitLockOptions } from '../../src/rabbit-lock/rabbit-lock.options';
import { RabbitLockService } from '../../src/rabbit-lock/rabbit-lock.service';

/** The test broker, from RABBITMQ_URL or the local default. */
export const BROKER = parseBrokerUrl(
  process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
);

export function parseBrokerUrl(text: string) {
  const url = new URL(text);
  return {
    hostname: url.hostname,
    port: Number(url.port || 5672),
    username: decodeURIComponent(url.username || 'guest'),
    password: decodeURIComponent(url.password || 'guest'),
    vhost: url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : '/',
  };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export interface LogLine {
  level: keyof LockLogger;
  message: string;
  fields?: Record<string, unknown>;
}

export function recordingLogger(lines: LogLine[]): LockLogger {
  const record = (level: keyof LockLogger) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push({ level, message, fields });
  return {
    log: record('log'),
    warn: record('warn'),
    debug: record('debug'),
    error: record('error'),
  };
}

/**
 * Creates lock services with connection names under one random prefix, closes them all at the
 * end and can tell whether the broker still lists any of them.
 */
export class LockServiceFixture {
  readonly prefix = uniqueName('h3-lock-test');
  private readonly services: RabbitLockService[] = [];
  private count = 0;

  /** The connection name the next service gets. */
  nextConnectionName(): string {
    return `${this.prefix}-${this.count + 1}`;
  }

  create(overrides: Partial<RabbitLockOptions> = {}): RabbitLockService {
    this.count += 1;
    const service = new RabbitLockService({
      hostname: BROKER.hostname,
      port: BROKER.port,
      vhost: BROKER.vhost,
      heartbeatSeconds: 5,
      connectionName: `${this.prefix}-${this.count}`,
      credentials: plainCredentials(BROKER.username, BROKER.password),
      reconnectMinMs: 100,
      reconnectMaxMs: 1000,
      connectTimeoutMs: 2000,
      ...overrides,
    });
    this.services.push(service);
    return service;
  }

  async started(overrides: Partial<RabbitLockOptions> = {}): Promise<RabbitLockService> {
    const service = this.create(overrides);
    await service.start();
    return service;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.services.map((service) => service.close()));
  }

  /** Connection names of ours the broker still lists, after up to `waitMs` for them to go. */
  async leftoverConnections(waitMs = 5000): Promise<string[]> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const names = (await brokerConnectionNames()).filter((name) => name.startsWith(this.prefix));
      if (names.length === 0 || Date.now() > deadline) return names;
      await sleep(250);
    }
  }
}

/** rabbitmqctl sees only the local broker; against another one there is nothing to list. */
export const CAN_LIST_CONNECTIONS =
  process.env.RABBITMQ_URL === undefined && existsSync('/usr/sbin/rabbitmqctl');

/** The `connection_name` client property of every connection the broker lists. */
async function brokerConnectionNames(): Promise<string[]> {
  if (!CAN_LIST_CONNECTIONS) return [];
  const { stdout } = await promisify(execFile)('rabbitmqctl', [
    'list_connections',
    'client_properties',
    '--quiet',
    '--no-table-headers',
  ]);
  return [...stdout.matchAll(/\{"connection_name","([^"]*)"\}/g)].map((match) => match[1]);
}

/** Closes our connection named `connectionName` the way an operator would (CONNECTION_FORCED). */
export async function forceCloseConnection(connectionName: string): Promise<void> {
  const { stdout } = await promisify(execFile)('rabbitmqctl', [
    'list_connections',
    'pid',
    'client_properties',
    '--quiet',
    '--no-table-headers',
  ]);
  const line = stdout
    .split('\n')
    .find((row) => row.includes(`{"connection_name","${connectionName}"}`));
  const pid = line?.split('\t')[0];
  if (!pid) throw new Error(`the broker lists no connection named ${connectionName}`);
  await promisify(execFile)('rabbitmqctl', ['close_connection', pid, 'closed by a test']);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A loopback port nobody listens on (taken from the OS, then freed). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Waits until `check` holds, polling every `stepMs`; fails after `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs: number, stepMs = 20) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(stepMs);
  }
}
