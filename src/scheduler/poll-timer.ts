/**
 * A re-armed timer: the next turn is scheduled only when the previous one has finished, so turns
 * never overlap. Each delay gets up to 10 % jitter so replicas drift apart. `soon()` brings the
 * next turn forward (a lock was released somewhere).
 */
export class PollTimer {
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private closed = false;

  constructor(
    private readonly intervalMs: number,
    private readonly turn: () => Promise<void>,
  ) {}

  start(): void {
    this.schedule(0);
  }

  soon(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  stop(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.fire(), delayMs);
  }

  private async fire(): Promise<void> {
    this.running = true;
    try {
      await this.turn();
    } finally {
      this.running = false;
      const next = this.again ? 0 : this.intervalMs * (0.95 + Math.random() * 0.1);
      this.again = false;
      this.schedule(next);
    }
  }
}
