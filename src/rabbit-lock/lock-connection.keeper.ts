import * as amqp from 'amqplib';
import { Socket } from 'node:net';
import { LockLossReason } from './distributed-lock.service';
import { openLockConnection, OpenedLockConnection } from './lock-connection.factory';
import { describeError, isAccessRefused } from './lock-error-text';
import { withTimeout } from './lock-queue.ops';
import { ResolvedLockOptions } from './rabbit-lock.options';
import { raceSecretUpdate } from './secret-update';
import { SilenceGuard } from './silence-guard';

export type LockConnectionState = 'connecting' | 'connected' | 'disconnected';

/** What the lock service hears from the keeper, synchronously, as it happens. */
export interface LockConnectionListener {
  connected(): void;
  /** The connection is gone (or about to be destroyed): every lock on it is lost. */
  lost(reason: LockLossReason, detail: string): void;
}

/**
 * Keeps the one raw connection that holds the locks: connects, reconnects with backoff and
 * jitter, guards against silence, renews the secret. It never re-declares anything after a
 * reconnect: a lock is only ever taken by an explicit acquire.
 */
export class LockConnectionKeeper {
  private current?: { model: amqp.ChannelModel; socket: Socket; guard: SilenceGuard };
  private state: LockConnectionState = 'disconnected';
  private lastError?: string;
  private connecting?: Promise<void>;
  private reconnectTimer?: NodeJS.Timeout;
  private failures = 0;
  private closed = false;
  private secretUpdating = false;
  private secretQueue: Promise<unknown> = Promise.resolve();
  private knownSecrets: string[] = [];

  constructor(
    private readonly options: ResolvedLockOptions,
    private readonly listener: LockConnectionListener,
  ) {}

  /** The live connection, or undefined while there is none. */
  get model(): amqp.ChannelModel | undefined {
    return this.current?.model;
  }

  status(): { connection: LockConnectionState; lastError?: string } {
    return { connection: this.state, lastError: this.lastError };
  }

  /** Tries once now; on failure keeps trying in the background. Never throws. */
  connect(): Promise<void> {
    if (this.closed || this.current) return Promise.resolve();
    this.connecting ??= this.connectOnce().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Declares every lock lost with `reason`, then destroys the connection and reconnects later. */
  drop(model: amqp.ChannelModel, reason: LockLossReason, detail: string): void {
    const current = this.current;
    if (!current || current.model !== model) return;
    this.detach(reason, detail);
    current.socket.destroy(new Error(`lock connection dropped: ${reason}`));
  }

  /**
   * Renews the secret (an OAuth token) on the live connection, keeping its locks. Resolves
   * 'failed' when there is no connection (the next connect reads the credentials anew anyway) or
   * when the broker refuses, closes or does not answer within `timeoutMs`; the connection and so
   * every lock is then lost with reason 'token-refused'. Calls run one after another.
   */
  updateSecret(secret: string, timeoutMs: number): Promise<'ok' | 'failed'> {
    const run = (): Promise<'ok' | 'failed'> => this.updateSecretNow(secret, timeoutMs);
    const result = this.secretQueue.then(run, run);
    this.secretQueue = result;
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    await this.connecting;
    const current = this.current;
    if (!current) return;
    current.guard.stop();
    this.current = undefined;
    this.state = 'disconnected';
    try {
      await withTimeout(
        current.model.close(),
        this.options.closeTimeoutMs,
        'closing the lock connection',
      );
    } catch {
      // Already closed, or the broker does not answer: the socket goes either way.
      current.socket.destroy();
    }
  }

  private async connectOnce(): Promise<void> {
    this.state = 'connecting';
    try {
      const opened = await openLockConnection(this.options, (password) => {
        this.knownSecrets = [password];
      });
      if (this.closed) {
        await opened.model.close().catch(() => opened.socket.destroy());
        return;
      }
      this.attach(opened);
    } catch (error) {
      this.onConnectFailed(error);
    }
  }

  private attach(opened: OpenedLockConnection): void {
    const { model, socket } = opened;
    model.on('error', (error: unknown) => this.onConnectionGone(model, error));
    model.on('close', (error: unknown) => this.onConnectionGone(model, error));
    const heartbeatMs = opened.heartbeatSeconds * 1000;
    const guard = new SilenceGuard(
      model,
      socket,
      heartbeatMs,
      (silentMs) => this.onSilence(model, silentMs),
      this.options.logger,
    );
    this.current = { model, socket, guard };
    this.state = 'connected';
    this.failures = 0;
    guard.start();

    const { hostname: host, port } = this.options;
    this.options.logger.log(`Established RabbitMQ connection to ${host}:${port}`, {
      heartbeatSeconds: opened.heartbeatSeconds,
    });
    this.listener.connected();
  }

  private onConnectFailed(error: unknown): void {
    this.state = 'disconnected';
    this.lastError = describeError(error, this.knownSecrets);
    if (isAccessRefused(error)) this.options.credentials.refused?.();
    this.options.logger.warn(
      `RabbitMQ is unreachable: ${this.lastError}; no new work will start until it is back`,
      { host: this.options.hostname, port: this.options.port, attempt: this.failures + 1 },
    );
    this.scheduleReconnect();
  }

  private onConnectionGone(model: amqp.ChannelModel, error: unknown): void {
    if (this.current?.model !== model) return;
    // A refused secret shows up as the broker closing the connection (530).
    const reason: LockLossReason = this.secretUpdating ? 'token-refused' : 'connection-closed';
    this.detach(reason, error === undefined ? 'closed' : describeError(error, this.knownSecrets));
  }

  private onSilence(model: amqp.ChannelModel, silentMs: number): void {
    const message = 'No data from RabbitMQ for about one heartbeat; dropping the lock connection';
    this.options.logger.warn(message, { silentMs });
    this.drop(model, 'silence', `no data from RabbitMQ for ${silentMs} ms`);
  }

  /** Forgets the connection and tells the service first, before anything else can happen. */
  private detach(reason: LockLossReason, detail: string): void {
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    current.guard.stop();
    this.state = 'disconnected';
    this.lastError = detail;
    this.listener.lost(reason, detail);
    if (this.closed) return;

    this.options.logger.warn('Lost the RabbitMQ lock connection; every held lock is lost', {
      reason,
      detail,
    });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delayMs = this.backoffMs();
    this.failures += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, delayMs);
    this.reconnectTimer.unref();
  }

  /** Exponential from `reconnectMinMs`, capped at `reconnectMaxMs`, then 50-100 % of that. */
  private backoffMs(): number {
    const { reconnectMinMs, reconnectMaxMs } = this.options;
    const ceiling = Math.min(reconnectMaxMs, reconnectMinMs * 2 ** Math.min(this.failures, 30));
    return Math.round(ceiling * (0.5 + Math.random() / 2));
  }

  private async updateSecretNow(secret: string, timeoutMs: number): Promise<'ok' | 'failed'> {
    const model = this.current?.model;
    if (!model) return 'failed';
    this.knownSecrets = [...this.knownSecrets, secret].slice(-2);

    this.secretUpdating = true;
    const outcome = await raceSecretUpdate(model, secret, timeoutMs).finally(() => {
      this.secretUpdating = false;
    });
    if (outcome === 'ok') return 'ok';

    // No answer leaves us not knowing whether the broker still accepts us: give the locks up.
    this.drop(model, 'token-refused', `update-secret ${outcome}`);
    return 'failed';
  }
}
