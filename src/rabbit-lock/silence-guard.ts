import * as amqp from 'amqplib';
import { Socket } from 'node:net';
import { describeError } from './lock-error-text';
import { LockLogger } from './lock-logger';

/**
 * Declares the lock connection dead when no byte has come from the broker for about one
 * heartbeat. amqplib's own check waits two heartbeats and the broker drops a silent client after
 * 1.5 to 3, so without this guard a paused or cut-off holder learns of its loss after another
 * replica has already taken the lock.
 *
 * Every quarter heartbeat it reads the socket's `bytesRead` (a 'data' listener would switch the
 * stream to flowing mode under amqplib's feet) and sends a tiny round trip of its own
 * (`basic.qos` on a private channel), so an idle but healthy broker always has something to
 * answer.
 */
export class SilenceGuard {
  private readonly tickMs: number;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private lastBytesRead: number;
  private lastTickAt: number;
  /** Earliest time the last seen bytes can have arrived: we only know "since the previous tick". */
  private lastByteAt: number;
  private probeChannel?: amqp.Channel;
  private probing = false;

  constructor(
    private readonly model: amqp.ChannelModel,
    private readonly socket: Socket,
    private readonly heartbeatMs: number,
    private readonly onSilence: (silentMs: number) => void,
    private readonly logger: LockLogger,
  ) {
    this.tickMs = Math.max(50, Math.floor(heartbeatMs / 4));
    this.lastBytesRead = socket.bytesRead;
    this.lastTickAt = Date.now();
    this.lastByteAt = this.lastTickAt;
  }

  start(): void {
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), this.tickMs);
    // The connection's socket keeps the process alive while it matters; this timer need not.
    this.timer.unref();
  }

  private tick(): void {
    const now = Date.now();
    if (this.socket.bytesRead !== this.lastBytesRead) {
      this.lastBytesRead = this.socket.bytesRead;
      this.lastByteAt = this.lastTickAt;
    }
    this.lastTickAt = now;

    // After an event-loop stall this fires at once too: the bytes may be waiting unread, but the
    // broker may just as well have given our locks away meanwhile, so assume the worse.
    const silentMs = now - this.lastByteAt;
    if (silentMs >= this.heartbeatMs) {
      this.stop();
      this.onSilence(silentMs);
      return;
    }
    this.probe();
    this.arm();
  }

  /** One probe in flight at most: during a partition they would only queue up. */
  private probe(): void {
    if (this.probing) return;
    this.probing = true;
    this.roundTrip()
      .catch((error: unknown) => {
        // Harmless: the guard judges by bytes read, not by probe results.
        this.logger.debug('Lock connection probe failed', { error: describeError(error) });
      })
      .finally(() => {
        this.probing = false;
      });
  }

  private async roundTrip(): Promise<void> {
    if (!this.probeChannel) this.probeChannel = await this.openProbeChannel();
    await this.probeChannel.prefetch(0);
  }

  private async openProbeChannel(): Promise<amqp.Channel> {
    const channel = await this.model.createChannel();
    channel.on('error', () => undefined);
    channel.once('close', () => {
      if (this.probeChannel === channel) this.probeChannel = undefined;
    });
    return channel;
  }
}
