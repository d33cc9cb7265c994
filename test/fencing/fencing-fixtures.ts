/**
 * Small helpers shared by the fencing tests: raw SQL on the HA columns (the way another replica
 * or an operator would change them), process checks by pid, and polling.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { DataSource } from 'typeorm';
import { SqlDialect } from '../../src/persistence/sql-dialect';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns something other than undefined/false, or throws after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  everyMs = 50,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * True while the process exists and is not a zombie. A killed script's children are reparented
 * to pid 1, which here may be slow to reap them: a zombie runs nothing, so it counts as gone.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Resolves with the time the process was first seen gone, or null if it outlived `timeoutMs`. */
export async function whenGone(pid: number, timeoutMs: number): Promise<number | null> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!isAlive(pid)) return Date.now();
    await sleep(20);
  }
  return isAlive(pid) ? null : Date.now();
}

/** Reads a pid a script wrote into `file`, waiting for it to appear. */
export async function readPid(file: string, timeoutMs = 20_000): Promise<number> {
  return waitUntil(
    `a pid in ${file}`,
    async () => {
      const text = (await readFile(file, 'utf8').catch(() => '')).trim();
      return /^\d+$/.test(text) ? Number(text) : undefined;
    },
    timeoutMs,
  );
}

/** Kills a process group we started, if it is still there (test cleanup only). */
export function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Raw SQL on the HA columns, as another replica (or a person) would write them. */
export class HaSql {
  readonly d: SqlDialect;

  constructor(private readonly ds: DataSource) {
    this.d = SqlDialect.of(ds);
  }

  /** Moves the request's lease `offsetMs` from now on the database clock (negative: lapsed). */
  async setLease(requestId: number, offsetMs: number): Promise<void> {
    const d = this.d;
    const s = d.params();
    const sql =
      `UPDATE ${d.table('DeploymentRequest')} SET ${d.col('LeaseExpiresAt')} = ${d.nowMs()} + ` +
      `${s.bind(offsetMs)} WHERE ${d.col('Id')} = ${s.bind(requestId)}`;
    await this.exactlyOne(sql, s.values);
  }

  /** Another replica takes the environment: the epoch moves on, the owner changes. */
  async bumpEpoch(environment: string, ownerId: string): Promise<void> {
    const d = this.d;
    const s = d.params();
    const sql =
      `UPDATE ${d.table('EnvironmentLock')} SET ${d.col('Epoch')} = ${d.col('Epoch')} + 1, ` +
      `${d.col('OwnerId')} = ${s.bind(ownerId)} WHERE ${d.col('Environment')} = ${s.bind(environment)}`;
    await this.exactlyOne(sql, s.values);
  }

  async setStatus(requestId: number, status: string): Promise<void> {
    const d = this.d;
    const s = d.params();
    const sql = `UPDATE ${d.table('DeploymentRequest')} SET ${d.col('Status')} = ${s.bind(status)} WHERE ${d.col('Id')} = ${s.bind(requestId)}`;
    await this.exactlyOne(sql, s.values);
  }

  async fenceRow(
    environment: string,
  ): Promise<{ epoch: number; ownerId: string | null } | undefined> {
    const d = this.d;
    const s = d.params();
    const sql =
      `SELECT ${d.col('Epoch')} AS ${d.col('epoch')}, ${d.col('OwnerId')} AS ${d.col('ownerId')} FROM ` +
      `${d.table('EnvironmentLock')} WHERE ${d.col('Environment')} = ${s.bind(environment)}`;
    const [row] = await d.select<{ epoch: unknown; ownerId: string | null }>(
      this.ds,
      sql,
      s.values,
    );
    if (!row) return undefined;
    return { epoch: Number(row.epoch), ownerId: row.ownerId };
  }

  private async exactlyOne(sql: string, values: unknown[]): Promise<void> {
    const changed = await this.d.execute(this.ds, sql, values);
    if (changed !== 1) throw new Error(`expected to change one row, changed ${changed}`);
  }
}

export function suffix(): string {
  return Math.random().toString(36).slice(2, 8);
}

/** `AppSettings__...` overrides for an in-process replica with HA on the shared broker. */
export function haSettings(
  monitorId: string,
  more: Record<string, string> = {},
): Record<string, string> {
  const url = new URL(process.env.RABBITMQ_URL || 'amqp://guest:guest@127.0.0.1:5672');
  const ha = 'AppSettings__HighAvailability__';
  return {
    AppSettings__MonitorId: monitorId,
    AppSettings__ShutdownGraceSeconds: '1',
    [`${ha}Enabled`]: 'true',
    [`${ha}HeartbeatSeconds`]: '2',
    [`${ha}RabbitMQ__AuthMode`]: 'Plain',
    [`${ha}RabbitMQ__HostName`]: url.hostname,
    [`${ha}RabbitMQ__Port`]: url.port || '5672',
    [`${ha}RabbitMQ__VirtualHost`]: decodeURIComponent(url.pathname.slice(1)) || '/',
    [`${ha}RabbitMQ__UserName`]: decodeURIComponent(url.username) || 'guest',
    [`${ha}RabbitMQ__Password`]: decodeURIComponent(url.password) || 'guest',
    ...more,
  };
}
