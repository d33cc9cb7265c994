import { sleep } from '../support/stats';
import { SoakRig } from './soak-rig';

export type FaultKind = 'kill' | 'pause' | 'partition' | 'broker-restart' | 'db-slow';

export interface FaultEvent {
  kind: FaultKind;
  /** The replica it hit, when it hit one. */
  replica?: string;
  startedAt: number;
  endedAt: number;
  detail: string;
  /** Set when the fault itself could not be applied or undone. */
  error?: string;
}

const KINDS: FaultKind[] = ['kill', 'pause', 'partition', 'broker-restart', 'db-slow'];
const WEIGHTS: Record<FaultKind, number> = {
  kill: 3,
  pause: 3,
  partition: 2,
  'broker-restart': 1,
  'db-slow': 2,
};

/**
 * One fault at a time, every few seconds: first each kind once in random order (so even a
 * short soak sees them all), then kinds drawn by weight. Each fault is undone before the next.
 */
export class FaultInjector {
  readonly events: FaultEvent[] = [];
  private running = false;
  private loop?: Promise<void>;

  constructor(private readonly rig: SoakRig) {}

  start(until: number): void {
    this.running = true;
    this.loop = this.run(until);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(until: number): Promise<void> {
    const firstRound = shuffle(KINDS);
    while (this.running && Date.now() < until) {
      await sleep(between(2000, 5000));
      if (!this.running || Date.now() >= until) break;
      await this.inject(firstRound.shift() ?? weighted());
    }
  }

  private async inject(kind: FaultKind): Promise<void> {
    const replica = pick(this.rig.replicaIds);
    const event: FaultEvent = { kind, startedAt: Date.now(), endedAt: 0, detail: '' };
    if (kind === 'kill' || kind === 'pause' || kind === 'partition') event.replica = replica;
    this.events.push(event);
    try {
      event.detail = await this.apply(kind, replica);
    } catch (error) {
      event.error = error instanceof Error ? error.message.split('\n')[0] : String(error);
    } finally {
      event.endedAt = Date.now();
    }
  }

  private apply(kind: FaultKind, replica: string): Promise<string> {
    if (kind === 'kill') return this.killAndRestart(replica);
    if (kind === 'pause') return this.pause(replica);
    if (kind === 'partition') return this.partition(replica);
    if (kind === 'broker-restart') return this.restartBroker();
    return this.slowDatabase();
  }

  private async killAndRestart(replica: string): Promise<string> {
    const cluster = this.rig.bench.cluster;
    cluster.kill(replica, 'SIGKILL');
    await cluster.waitExit(replica);
    const downMs = between(500, 3000);
    await sleep(downMs);
    await cluster.start(replica);
    return `SIGKILL, restarted after ${downMs} ms`;
  }

  /** Mostly short; one in four longer than the request lease, so the lease must decide. */
  private async pause(replica: string): Promise<string> {
    const lease = this.rig.options.requestLeaseSeconds * 1000;
    const ms = Math.random() < 0.25 ? between(lease + 2000, lease + 5000) : between(2000, 5000);
    this.rig.bench.cluster.pause(replica);
    await sleep(ms);
    this.rig.bench.cluster.resume(replica);
    return `SIGSTOP for ${ms} ms`;
  }

  private async partition(replica: string): Promise<string> {
    const proxy = this.rig.proxies.get(replica)!;
    const ms = between(3000, 8000);
    proxy.blackhole();
    await sleep(ms);
    proxy.restore();
    return `cut off from the broker for ${ms} ms`;
  }

  private async restartBroker(): Promise<string> {
    const started = Date.now();
    await this.rig.broker.restart();
    return `broker node down and up again in ${Date.now() - started} ms`;
  }

  /** Holds an exclusive lock on the request table: every poll, claim, renewal and write waits. */
  private async slowDatabase(): Promise<string> {
    const ms = between(1000, 5000);
    const runner = this.rig.bench.cluster.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query('LOCK TABLE "deploy"."DeploymentRequest" IN ACCESS EXCLUSIVE MODE');
      await runner.query('SELECT pg_sleep($1)', [ms / 1000]);
      await runner.commitTransaction();
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
    return `request table locked for ${ms} ms`;
  }
}

function between(min: number, max: number): number {
  return Math.round(min + Math.random() * (max - min));
}

function pick<T>(items: T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

function shuffle<T>(items: T[]): T[] {
  return [...items].sort(() => Math.random() - 0.5);
}

function weighted(): FaultKind {
  const total = KINDS.reduce((sum, k) => sum + WEIGHTS[k], 0);
  let roll = Math.random() * total;
  for (const kind of KINDS) {
    roll -= WEIGHTS[kind];
    if (roll < 0) return kind;
  }
  return 'kill';
}
